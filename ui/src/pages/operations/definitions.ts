/** 流程定义: the deployed processes and every version, the latest marked. */
import { get } from '../../api';
import { h } from '../../dom';
import { PROCESS_NAME } from '../../labels';
import { page } from '../../shell';
import { subNav } from './list';
import type { Definition } from './types';

export async function definitionsPage(): Promise<void> {
  const defs = await get<{ items: Definition[] }>('/operations/process-definitions');
  page(
    '流程定义',
    subNav(),
    h(
      'table',
      { class: 'list', 'data-testid': 'definitions' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['流程', '流程 ID', '版本', '资源文件', '定义键'].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        defs.items.map((d) =>
          h(
            'tr',
            {},
            h('td', {}, PROCESS_NAME[d.processDefinitionId] ?? d.name ?? d.processDefinitionId),
            h('td', {}, d.processDefinitionId),
            h('td', {}, `v${d.version}`, d.latest ? h('span', { class: 'badge' }, '最新') : null),
            h('td', {}, d.resourceName ?? '—'),
            h('td', {}, d.processDefinitionKey),
          ),
        ),
      ),
    ),
  );
}
