/**
 * A process instance on its BPMN diagram (bpmn-js NavigatedViewer, bpmn.io watermark kept as its licence
 * requires): completed elements, active ones and failed ones (active incident) marked, with a legend;
 * the called countersign instances listed with a link each.
 */
import { get } from '../api';
import { append, h } from '../dom';
import { dateTime } from '../format';
import { PROCESS_NAME } from '../labels';
import { notice } from '../shell';

interface InstanceView {
  processInstanceKey: string;
  processDefinitionId: string;
  state: string;
  xml: string;
  elements: { elementId: string; state: string }[];
  incidents: { elementId: string; errorMessage: string }[];
  called: { processInstanceKey: string; processDefinitionId: string; state: string }[];
  parentProcessInstanceKey: string | null;
  tasks: { name: string; state: string; assignee: string | null; completionDate: string | null }[];
}

const STATE: Record<string, string> = { ACTIVE: '进行中', COMPLETED: '已完成', TERMINATED: '已终止', CANCELED: '已取消' };

/** the diagram in the container, fitted, each element given its marker class (also the operations page's) */
export async function showDiagram(canvas: HTMLElement, xml: string, marks: { elementId: string; cls: string }[]): Promise<void> {
  // bpmn-js is a chunk of its own, loaded with the first diagram: 待办 does not wait for it
  const { default: NavigatedViewer } = await import('bpmn-js/lib/NavigatedViewer');
  const viewer = new NavigatedViewer({ container: canvas });
  await viewer.importXML(xml);
  const c = viewer.get('canvas') as { zoom(x: string): void; addMarker(id: string, m: string): void };
  c.zoom('fit-viewport');
  for (const m of marks) {
    try {
      c.addMarker(m.elementId, m.cls);
    } catch {
      /* the process element itself has no shape */
    }
  }
}

export function diagramSection(processInstanceKey: string): HTMLElement {
  const canvas = h('div', { class: 'diagram', role: 'img', 'aria-label': '流程图' });
  const below = h('div');
  const section = h(
    'section',
    { class: 'card', 'aria-label': '流程进度' },
    h('h2', {}, '流程进度'),
    h(
      'p',
      { class: 'legend' },
      h('span', { class: 'm done' }, '已完成'),
      h('span', { class: 'm active' }, '进行中'),
      h('span', { class: 'm failed' }, '失败（故障）'),
    ),
    canvas,
    below,
  );
  void (async () => {
    try {
      const v = await get<InstanceView>(`/workbench/instances/${processInstanceKey}`);
      const failed = new Set(v.incidents.map((i) => i.elementId));
      await showDiagram(canvas, v.xml, [
        ...v.elements
          .filter((e) => !failed.has(e.elementId))
          .map((e) => ({
            elementId: e.elementId,
            cls: e.state === 'ACTIVE' ? 'el-active' : e.state === 'COMPLETED' ? 'el-done' : 'el-other',
          })),
        ...[...failed].map((elementId) => ({ elementId, cls: 'el-failed' })),
      ]);
      section.dataset.state = v.state;
      append(below, [
        h(
          'p',
          {},
          `${PROCESS_NAME[v.processDefinitionId] ?? v.processDefinitionId} · 实例 ${v.processInstanceKey} · ${STATE[v.state] ?? v.state}`,
          v.parentProcessInstanceKey ? [' · ', h('a', { href: `#/instances/${v.parentProcessInstanceKey}` }, '上级流程')] : null,
        ),
        v.incidents.length
          ? h(
              'ul',
              { class: 'incidents' },
              v.incidents.map((i) => h('li', { role: 'alert' }, `${i.elementId}：${i.errorMessage}`)),
            )
          : null,
        v.called.length
          ? [
              h('h3', {}, '被调用的流程'),
              h(
                'ul',
                {},
                v.called.map((ci) =>
                  h(
                    'li',
                    {},
                    h(
                      'a',
                      { href: `#/instances/${ci.processInstanceKey}` },
                      `${PROCESS_NAME[ci.processDefinitionId] ?? ci.processDefinitionId} ${ci.processInstanceKey}`,
                    ),
                    ` · ${STATE[ci.state] ?? ci.state}`,
                  ),
                ),
              ),
            ]
          : null,
        v.tasks.length
          ? [
              h('h3', {}, '人工任务'),
              h(
                'ul',
                {},
                v.tasks.map((t) =>
                  h(
                    'li',
                    {},
                    `${t.name} · ${t.state === 'COMPLETED' ? `${t.assignee ?? ''} 于 ${dateTime(t.completionDate)} 完成` : '待办'}`,
                  ),
                ),
              ),
            ]
          : null,
      ]);
    } catch (e) {
      below.append(notice(`流程图加载失败：${(e as Error).message}`, 'error'));
    }
  })();
  return section;
}
