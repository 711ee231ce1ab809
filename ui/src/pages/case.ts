/**
 * The case page of a business order: status, the numbered records (§9) with their versions, the
 * timeline (who did what, when), the deadline with its working-day basis, and the diagram.
 */
import { get } from '../api';
import { h } from '../dom';
import { actor, dateTime } from '../format';
import { OCCASION, ORDER_STATUS, REQUEST_TYPE, label } from '../labels';
import { reasonText } from '../reasons';
import { notice, page } from '../shell';
import { contractView, orderFacts, taskOrderView, type Case, type Row } from './case-panel';
import { diagramSection } from './diagram';

/** the audit actions of a case's records, as people say them (others are shown by their id) */
const ACTION: Record<string, string> = {
  'business-order.create': '创建订单',
  'business-order.transition': '订单状态变更',
  'business-order.customer-decision': '记录客户意见',
  'business-order.revise': '修改订单',
  'business-order.contract-signed': '合同签订，订单更新',
  'business-order.deliver': '交付客户',
  'business-order.completion-deadline': '计算竣工期限',
  'revenue-contract.create': '编制收入合同',
  'revenue-contract.sign': '签订收入合同',
  'expense-contract.create': '编制支出合同',
  'expense-contract.implementation-requested': '向 AP 发送实施请求',
  'expense-contract.implemented': 'AP 实施完成',
  // 处理AP异常 (domain/ap-issues.ts)
  'business-order.retry-ap': 'AP异常：重新发起',
  'business-order.switch-ap': 'AP异常：换一家AP',
  'business-order.drop-ap': 'AP异常：不用AP，继续开通',
  'change-order.retry-ap': 'AP异常：重新发起',
  'change-order.switch-ap': 'AP异常：换一家AP',
  'change-order.drop-ap': 'AP异常：不用AP，继续',
  'expense-contract.withdraw': '撤回支出合同',
  'countersign.open-round': '送审（会签开始）',
  'countersign.record-decision': '会签审核意见',
  'countersign.issue-form': '出具合同会签审批表',
  'collaboration-task-order.issue': '下发协作任务单',
  'collaboration-task-order.reply': '技术部回复',
  'collaboration-task-order.accepted': '配置验收通过',
  'collaboration-task-order.sent-back': '配置退回',
  'payment-basis.create': 'AP 提交支付依据',
  'payment-basis.received': '收到支付依据',
  'payment-basis.accepted': '支付依据核对通过',
  'customer-communication-record.create': '填写客户沟通记录',
};

/** the records an action belongs to, and what was done, for the actions the table above does not name */
const RECORD: Record<string, string> = {
  'business-order': '业务订单',
  'change-order': '变更单',
  'revenue-contract': '收入合同',
  'expense-contract': '支出合同',
  'payment-basis': '支付依据',
  'customer-communication-record': '客户沟通记录',
  countersign: '会签',
  'collaboration-task-order': '协作任务单',
  'account-monitoring': '账号监管',
  'service-request': '服务请求',
};
const VERB: Record<string, string> = {
  create: '创建',
  update: '更新',
  correct: '更正',
  cancel: '取消',
  complete: '竣工',
  submit: '提交',
  resubmit: '重新提交',
  check: '核对',
  redraft: '重新编制',
  register: '登记',
  delta: '账号增减',
  'sla-reminder': '实施超期提醒',
  'completion-overdue': '竣工逾期',
  'implementation-refused': 'AP 拒绝实施',
};
/** an audit action as people say it: named above, else its record and verb, else its id */
export function actionName(action: string): string {
  if (ACTION[action]) return ACTION[action];
  const dot = action.indexOf('.');
  const record = RECORD[action.slice(0, dot)];
  const verb = VERB[action.slice(dot + 1)];
  return dot > 0 && record && verb ? `${record}${verb}` : action;
}

export async function casePage(id: string) {
  let c: Case;
  try {
    c = await get<Case>(`/workbench/cases/${encodeURIComponent(id)}`);
  } catch (e) {
    page('案卷', notice(`案卷加载失败：${(e as Error).message}`, 'error'));
    return;
  }
  const o = c.order;
  page(
    `案卷 ${o.orderNo}`,
    h(
      'div',
      { class: 'case-layout' },
      h(
        'section',
        { class: 'card' },
        h('h2', {}, '业务订单'),
        orderFacts(c),
        h(
          'details',
          {},
          h('summary', {}, `订单版本（${c.orderVersions.length}）`),
          h(
            'ol',
            {},
            c.orderVersions.map((v: Row) =>
              h('li', {}, `第 ${v.version} 版 · ${actor(v.actor)} · ${dateTime(v.at)} · ${reasonText(v.reason)}`),
            ),
          ),
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, '合同与会签'),
        c.contracts.length ? c.contracts.map(contractView) : h('p', { class: 'muted' }, '尚无合同。'),
      ),
      c.taskOrders.length ? h('section', { class: 'card' }, h('h2', {}, '协作任务单'), c.taskOrders.map(taskOrderView)) : null,
      c.communicationRecords.length
        ? h(
            'section',
            { class: 'card' },
            h('h2', {}, '客户沟通记录'),
            h(
              'ul',
              {},
              c.communicationRecords.map((r: Row) =>
                h('li', {}, `${r.recordNo} · ${label(OCCASION, r.occasion)} · ${r.filedBy} · ${dateTime(r.filedAt)}`),
              ),
            ),
          )
        : null,
      c.changeOrders.length
        ? h(
            'section',
            { class: 'card' },
            h('h2', {}, '变更单'),
            h(
              'ul',
              {},
              c.changeOrders.map((x: Row) => h('li', {}, `${x.changeOrderNo} · ${label(ORDER_STATUS, x.status)} · ${x.description}`)),
            ),
          )
        : null,
      h(
        'section',
        { class: 'card' },
        h('h2', {}, '时间线'),
        h(
          'ol',
          { class: 'timeline' },
          c.timeline.map((t: Row) =>
            h(
              'li',
              {},
              h('time', { datetime: t.at }, dateTime(t.at)),
              ` ${actor(t.actor)} · ${actionName(String(t.action))}`,
              t.reason ? ` · ${reasonText(t.reason)}` : '',
            ),
          ),
        ),
      ),
    ),
    o.processInstanceKey ? diagramSection(String(o.processInstanceKey)) : notice('流程尚未启动（订单正在提交到流程引擎）。'),
    h('p', {}, h('a', { href: `#/new/service-request?orderId=${o.id}` }, `为此订单登记${label(REQUEST_TYPE, 'COMPLAINT')}、故障或咨询`)),
  );
}

export function instancePage(key: string) {
  page(`流程实例 ${key}`, diagramSection(key));
}
