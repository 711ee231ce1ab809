/**
 * The payment basis form of one implementation request: it posts to the same POST /api/payment-bases
 * an AP would call with curl (submit, or resubmit after a send-back), and shows the server's field
 * errors on the fields. Attachments are references (URLs or file ids), one per line.
 */
import { post } from '../../api';
import { field, h } from '../../dom';
import { notice } from '../../shell';
import { num, showProblem } from '../forms';
import type { PortalPaymentBasisDto, PortalRequestDto } from '../../../../api/portal/dto';

/** what the form needs of a request: its contract and its payment basis as the portal read it */
export type RequestView = Pick<PortalRequestDto, 'expenseContractId' | 'expenseContractNo' | 'expenseAmount'> & {
  paymentBasis: PortalPaymentBasisDto | null;
};

export function submitForm(r: RequestView, done: () => void): HTMLFormElement {
  const prev = r.paymentBasis;
  const resubmit = prev?.status === 'SENT_BACK';
  const amount = h('input', { name: 'amount', type: 'number', step: '0.01', min: '0', value: prev?.amount ?? r.expenseAmount });
  const completedOn = h('input', { name: 'completedOn', type: 'date', value: prev?.completedOn ?? '' });
  const description = h('textarea', { name: 'description', rows: 3 }, prev?.description ?? '');
  const accounts = h('input', { name: 'accountsImplemented', type: 'number', step: '1', min: '0', value: prev?.accountsImplemented ?? '' });
  const attachments = h('textarea', { name: 'attachments', rows: 3 }, (prev?.attachments ?? []).join('\n'));
  const note = h('textarea', { name: 'note', rows: 2 }, prev?.note ?? '');
  const msg = h('div', { 'aria-live': 'polite' });
  // one id per filled-in form: a double click or a retry after a lost answer is recorded once
  const submissionId = `portal-${r.expenseContractNo}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const form = h(
    'form',
    {
      class: 'card',
      'data-testid': 'payment-basis-form',
      'aria-label': resubmit ? '重新提交支付依据' : '提交支付依据',
      novalidate: true,
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        const body: Record<string, unknown> = {
          submissionId,
          expenseContractId: r.expenseContractId,
          amount: num(amount),
          completedOn: completedOn.value || undefined,
          description: description.value.trim() || undefined,
          accountsImplemented: num(accounts),
          attachments: attachments.value
            .split('\n')
            .map((s) => s.trim())
            .filter(Boolean),
          note: note.value.trim() || undefined,
        };
        try {
          await post('/payment-bases', body);
          msg.replaceChildren(notice('已提交，等待合同管理员核对。', 'ok'));
          done();
        } catch (e) {
          showProblem(form, msg, e);
        }
      },
    },
    h('h4', {}, resubmit ? '重新提交支付依据' : '提交支付依据'),
    field('申请金额（元）', amount),
    field('完成日期', completedOn),
    field('实施说明', description),
    field('已实施账号数', accounts),
    field('附件引用', attachments, '每行一个：文件链接（URL）或文件编号'),
    field('备注', note),
    h('button', { type: 'submit' }, resubmit ? '重新提交' : '提交'),
    msg,
  );
  return form;
}
