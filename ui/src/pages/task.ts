/**
 * The task page: the task's own Camunda Form rendered by form-js, prefilled with what the case knows,
 * beside the case. Submitting sends the fields a person fills in (not the read-only ones) to the
 * workbench completion; the server's field errors appear on the fields.
 */
import { ApiProblem, get, post } from '../api';
import { h } from '../dom';
import { dateTime } from '../format';
import { PROCESS_NAME, refusalText, roleName } from '../labels';
import { notice, page } from '../shell';
import type { Me } from '../user';
import { casePanel, type Case } from './case-panel';
import { businessKeys, conflictText } from './inbox';

interface FormComponent {
  id?: string;
  key?: string;
  type: string;
  readonly?: boolean | string;
  disabled?: boolean;
  components?: FormComponent[];
}
interface Task {
  key: string;
  name: string;
  elementId: string;
  processDefinitionId: string | null;
  state: string;
  assignee: string | null;
  candidateGroups: string[];
  dueDate: string | null;
  context: Record<string, unknown>;
  form: { components: FormComponent[] } | null;
  variables: Record<string, unknown>;
}

function inputs(cs: FormComponent[]): FormComponent[] {
  return cs.flatMap((c) => [
    ...(c.key && !['text', 'html', 'image', 'button', 'spacer', 'separator'].includes(c.type) ? [c] : []),
    ...inputs(c.components ?? []),
  ]);
}

export async function taskPage(me: Me, key: string) {
  let t: Task;
  try {
    t = await get<Task>(`/tasks/${key}`);
  } catch (e) {
    page(
      '任务',
      notice(
        e instanceof ApiProblem && e.status === 404 ? '没有这个任务，或它不在您的组内。' : `任务加载失败：${(e as Error).message}`,
        'error',
      ),
      h('p', {}, h('a', { href: '#/inbox' }, '返回待办')),
    );
    return;
  }
  const orderNo = typeof t.context.orderNo === 'string' ? t.context.orderNo : null;
  const theCase = orderNo ? await get<Case>(`/workbench/cases/${encodeURIComponent(orderNo)}`).catch(() => null) : null;
  const msg = h('div', { 'aria-live': 'assertive' });
  const holder = h('div', { class: 'form-holder' });
  const heldByOther = t.assignee && t.assignee !== me.username;
  const status = h(
    'p',
    { class: 'task-status' },
    t.assignee
      ? heldByOther
        ? h('span', { class: 'badge danger' }, `已由 ${t.assignee} 认领`)
        : h('span', { class: 'badge ok' }, '由我处理')
      : h('span', { class: 'badge' }, `待认领（${t.candidateGroups.map(roleName).join('、')}）`),
    ' 截止：',
    dateTime(t.dueDate),
  );
  const submit = h('button', { type: 'button', class: 'primary', disabled: !!heldByOther }, '提交');
  page(
    t.name,
    h('p', { class: 'muted' }, `${PROCESS_NAME[t.processDefinitionId ?? ''] ?? ''} · ${businessKeys(t.context)}`),
    status,
    msg,
    h(
      'div',
      { class: 'task-layout' },
      h(
        'section',
        { class: 'card', 'aria-label': '任务表单' },
        holder,
        h('div', { class: 'form-actions' }, submit, ' ', h('a', { href: '#/inbox' }, '返回待办')),
      ),
      theCase ? casePanel(theCase) : null,
    ),
  );
  if (!t.form) {
    holder.append(notice('此任务没有表单。', 'info'));
    return;
  }
  // form-js is a chunk of its own, loaded with the first task page: 待办 does not wait for it
  const { Form } = await import('@bpmn-io/form-js-viewer');
  const form = new Form({ container: holder });
  await form.importSchema(t.form as never, t.variables);
  const fields = inputs(t.form.components);
  const editable = fields.filter((f) => !f.readonly && !f.disabled);
  const idOf = new Map(fields.map((f) => [f.key!, f.id!]));
  submit.addEventListener('click', async () => {
    msg.replaceChildren();
    const { data, errors } = form.submit();
    if (Object.keys(errors).length) {
      msg.append(notice('请先改正表单中标出的字段。', 'error'));
      return;
    }
    const variables: Record<string, unknown> = {};
    for (const f of editable)
      if (data[f.key!] !== undefined && data[f.key!] !== null && data[f.key!] !== '') variables[f.key!] = data[f.key!];
    submit.disabled = true;
    try {
      await post(`/workbench/tasks/${t.key}/completion`, { variables });
      sessionStorage.setItem('ot.flash', `已提交：${t.name}`);
      location.hash = '#/inbox';
    } catch (e) {
      submit.disabled = false;
      if (!(e instanceof ApiProblem)) {
        msg.append(notice(`提交失败：${(e as Error).message}`, 'error'));
        return;
      }
      if (e.status === 409) {
        msg.append(notice(`提交失败：${conflictText(e)}`, 'error'));
        return;
      }
      // a rule refused the completion, with its reason and no field to mark: the recording of the decision (a
      // completing task listener, 422) or the API's own check of the same rule before it (separation of duties,
      // 403); the task stays open with the form as filled in
      if ((e.status === 422 || e.status === 403) && !e.errors.length) {
        msg.append(notice(`未能提交：${refusalText(e)}`, 'error'));
        return;
      }
      const onFields: Record<string, string[]> = {};
      const elsewhere: string[] = [];
      for (const fe of e.errors) {
        const k = /^\/variables\/(.+)$/.exec(fe.pointer)?.[1];
        const id = k ? idOf.get(k) : undefined;
        if (id) (onFields[id] ??= []).push(serverText(fe.detail));
        else elsewhere.push(`${fe.pointer} ${fe.detail}`);
      }
      // form-js shows the errors of its state under each field (the same place as its own checks)
      (form as unknown as { _setState(s: object): void })._setState({ errors: onFields });
      msg.append(notice(`服务器校验未通过${elsewhere.length ? `：${elsewhere.join('；')}` : '，请查看标出的字段。'}`, 'error'));
    }
  });
}

/** the server's English field messages in Chinese (the common ones; others as they come) */
function serverText(detail: string): string {
  if (detail === 'is required') return '必填';
  const one = /^must be one of (.+)$/.exec(detail);
  if (one) return `必须是以下之一：${one[1]}`;
  if (/^must be a date/.test(detail)) return '日期格式应为 YYYY-MM-DD';
  const max = /^must have at most (\d+)/.exec(detail);
  if (max) return `最多 ${max[1]} 个字符`;
  return detail;
}
