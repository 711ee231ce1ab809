/**
 * One instance for the admin: its diagram (active and incident elements marked), its incidents with the
 * engine's message, its variables, the repair form (variable name + JSON value, retries, reason) for each
 * incident, and the cancel dialog with its mandatory reason. The server validates again; its field errors
 * appear on the fields.
 */
import { ApiProblem, get, post } from '../../api';
import { field, h } from '../../dom';
import { dateTime } from '../../format';
import { PROCESS_NAME } from '../../labels';
import { notice, page } from '../../shell';
import { showDiagram } from '../diagram';
import { subNav } from './list';
import { ERROR_TYPE, elementLabel, INSTANCE_STATE, type Incident, type InstanceDetail, namedVariable } from './types';

/** the server's field errors (by JSON pointer) shown on the controls; anything else in the status line */
function showProblem(e: unknown, controls: Record<string, HTMLElement>, status: HTMLElement) {
  for (const el of Object.values(controls)) el.removeAttribute('aria-invalid');
  const p = e instanceof ApiProblem ? e : null;
  const named = (p?.errors ?? []).filter((x) => controls[x.pointer]);
  for (const x of named) controls[x.pointer].setAttribute('aria-invalid', 'true');
  status.replaceChildren(
    notice(named.length ? named.map((x) => `${x.pointer.slice(1)}：${x.detail}`).join('；') : (e as Error).message, 'error'),
  );
}

function repairForm(inc: Incident, v: InstanceDetail): HTMLElement {
  const name = h('input', { name: 'variableName', required: true, autocomplete: 'off' });
  const value = h('textarea', { name: 'variableValue', rows: 2, placeholder: '"CONFIRMED"' });
  const retries = h('input', { name: 'retries', type: 'number', min: 1, max: 10, value: 1 });
  const reason = h('textarea', { name: 'reason', rows: 2, required: true });
  const status = h('div', { 'aria-live': 'polite' });
  // the value of a variable as it stands now (the instance's own first), so the admin corrects rather than retypes
  const current = (n: string) =>
    (v.variables.find((x) => x.name === n && x.scopeKey === v.processInstanceKey) ?? v.variables.find((x) => x.name === n))?.value;
  const named = namedVariable(
    inc.errorMessage,
    v.variables.map((x) => x.name),
  );
  if (named) {
    name.value = named;
    value.value = current(named) ?? '';
  }
  name.addEventListener('change', () => {
    const cur = current(name.value.trim());
    if (cur !== undefined) value.value = cur;
  });
  const controls = { '/variable/name': name, '/variable/value': value, '/retries': retries, '/reason': reason };
  return h(
    'form',
    {
      class: 'repair',
      'aria-label': `修复故障 ${inc.elementName ?? v.elementNames[inc.elementId] ?? inc.elementId}`,
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        const body: Record<string, unknown> = { reason: reason.value.trim(), retries: Number(retries.value) };
        if (name.value.trim() || value.value.trim()) body.variable = { name: name.value.trim(), value: value.value.trim() };
        try {
          await post(`/operations/incidents/${inc.incidentKey}/repair`, body);
          status.replaceChildren(notice('已修复，流程继续运行', 'ok'));
          setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 800);
        } catch (e) {
          showProblem(e, controls, status);
        }
      },
    },
    h('h3', {}, '修复并重试'),
    field('变量名', name, '要更正的流程变量，例如 customerDecision'),
    field('变量值（JSON）', value, '字符串须带引号，例如 "CONFIRMED"；数字、true/false、对象照写'),
    field('重试次数', retries),
    field('原因', reason, '写入审计日志'),
    h('button', { type: 'submit' }, '修复并重试'),
    status,
  );
}

/** where a variable lives: the instance, or the step (by its name) whose scope holds it */
function scopeLabel(v: InstanceDetail, scopeKey: string): string {
  const el = v.elements.find((e) => e.elementInstanceKey === scopeKey);
  return el ? (v.elementNames[el.elementId] ?? el.elementName ?? el.elementId) : scopeKey;
}

function cancelDialog(v: InstanceDetail): HTMLElement {
  const reason = h('textarea', { name: 'cancelReason', rows: 3, required: true });
  const status = h('div', { 'aria-live': 'polite' });
  const dialog = h('dialog', { 'aria-label': '取消流程实例' });
  dialog.append(
    h(
      'form',
      {
        onsubmit: async (ev: Event) => {
          ev.preventDefault();
          try {
            await post(`/operations/process-instances/${v.processInstanceKey}/cancellation`, { reason: reason.value.trim() });
            dialog.close();
            window.dispatchEvent(new HashChangeEvent('hashchange'));
          } catch (e) {
            showProblem(e, { '/reason': reason }, status);
          }
        },
      },
      h('h2', {}, '取消流程实例'),
      h('p', {}, `实例 ${v.processInstanceKey} 将被终止，此操作不可撤销。`),
      field('取消原因', reason, '必填，写入审计日志'),
      status,
      h('button', { type: 'submit', class: 'danger' }, '确认取消'),
      ' ',
      h('button', { type: 'button', onclick: () => dialog.close() }, '返回'),
    ),
  );
  return h('div', {}, h('button', { type: 'button', class: 'danger', onclick: () => dialog.showModal() }, '取消实例…'), dialog);
}

export async function operationsInstancePage(key: string): Promise<void> {
  const v = await get<InstanceDetail>(`/operations/process-instances/${encodeURIComponent(key)}`);
  const canvas = h('div', { class: 'diagram', role: 'img', 'aria-label': '流程图' });
  const orderNo = v.variables.find((x) => x.name === 'orderNo' && x.scopeKey === v.processInstanceKey)?.value;
  page(
    `流程实例 ${v.processInstanceKey}`,
    subNav(),
    h(
      'p',
      { 'data-testid': 'instance-state', 'data-state': v.state },
      `${PROCESS_NAME[v.processDefinitionId] ?? v.processDefinitionId} v${v.processDefinitionVersion ?? '?'} · ${INSTANCE_STATE[v.state] ?? v.state}`,
      orderNo ? ` · 订单 ${JSON.parse(orderNo)}` : null,
      ` · 开始于 ${dateTime(v.startDate)}`,
      v.parentProcessInstanceKey ? [' · ', h('a', { href: `#/operations/instances/${v.parentProcessInstanceKey}` }, '上级流程')] : null,
    ),
    h(
      'section',
      { class: 'card', 'aria-label': '流程图' },
      h('p', { class: 'legend' }, h('span', { class: 'm active' }, '当前环节'), h('span', { class: 'm failed' }, '故障')),
      canvas,
      h(
        'p',
        { 'data-testid': 'active-elements' },
        '当前环节：',
        v.activeElementIds.length ? v.activeElementIds.flatMap((id, n) => [n ? '、' : '', ...elementLabel(id, v.elementNames[id])]) : '—',
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-label': '故障' },
      h('h2', {}, `故障（${v.incidents.length}）`),
      v.incidents.length
        ? v.incidents.map((i) =>
            h(
              'div',
              { class: 'incident', 'data-incident': i.incidentKey },
              h(
                'p',
                { role: 'alert' },
                h(
                  'strong',
                  {},
                  ...elementLabel(i.elementId, i.elementName ?? v.elementNames[i.elementId]),
                  ` · ${ERROR_TYPE[i.errorType] ?? i.errorType}：`,
                ),
                h('span', { class: 'error-message' }, i.errorMessage),
              ),
              h('p', {}, `发生于 ${dateTime(i.creationTime)}`),
              repairForm(i, v),
            ),
          )
        : h('p', {}, '没有未解决的故障。'),
    ),
    h(
      'section',
      { class: 'card', 'aria-label': '变量' },
      h('h2', {}, '变量'),
      h(
        'table',
        { class: 'list', 'data-testid': 'variables' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['名称', '值（JSON）', '作用域'].map((t) => h('th', {}, t)),
          ),
        ),
        h(
          'tbody',
          {},
          v.variables.map((x) =>
            h(
              'tr',
              { 'data-name': x.name },
              h('td', {}, x.name),
              h('td', {}, h('code', {}, x.value)),
              h('td', {}, x.scopeKey === v.processInstanceKey ? '流程实例' : scopeLabel(v, x.scopeKey)),
            ),
          ),
        ),
      ),
    ),
    v.state === 'ACTIVE' && !v.parentProcessInstanceKey ? h('section', { class: 'card', 'aria-label': '取消' }, cancelDialog(v)) : null,
  );
  try {
    await showDiagram(canvas, v.xml, [
      ...v.activeElementIds.filter((id) => !v.incidentElementIds.includes(id)).map((elementId) => ({ elementId, cls: 'el-active' })),
      ...v.incidentElementIds.map((elementId) => ({ elementId, cls: 'el-failed' })),
    ]);
  } catch (e) {
    canvas.replaceWith(notice(`流程图加载失败：${(e as Error).message}`, 'error'));
  }
}
