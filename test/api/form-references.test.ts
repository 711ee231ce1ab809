/**
 * What the task API hands form-js (api/form-references.ts): every variable a real form reads, so its text
 * blocks and conditions render in the workbench as in Tasklist; not the properties or the string literals
 * of its expressions.
 */
import { expect } from 'chai';
import { formReferences } from '../../api/form-references';
import type { FormComponent } from '../../api/task-port';
import { loadForm } from '../../processes/model';

const refs = (id: string) => formReferences((loadForm(id)!.components ?? []) as FormComponent[]);

describe('api: the variables a form reads (form-references)', () => {
  it('处理AP异常: the fields, the option list, and what 订单概要 and the conditions read', () => {
    const names = refs('ap-issue-resolution');
    expect(names).to.include.members([
      'orderSummary',
      'orderNo',
      'changeOrderNo',
      'apPartnerId',
      'expenseContractNo',
      'apIssue',
      'apIssueResolution',
      'newApPartnerId',
      'apPartnerOptions',
      'apIssueNote',
    ]);
    // properties (after a dot) and the text of string literals are no variables
    for (const n of ['customerName', 'apPartnerName', 'modules', 'learning', 'management', 'OTHER_PARTNER', 'if', 'then', 'else', 'null'])
      expect(names, n).to.not.include(n);
  });

  it('a text block alone (no field reads the variable) and a {{template}} text are read', () => {
    const names = formReferences([
      { type: 'text', text: '=if x.y = "a b" then "c" else z' } as FormComponent,
      { type: 'text', text: '合同 {{ contractNo }} 的 {{ round.no }}' } as FormComponent,
      { type: 'group', components: [{ type: 'textfield', key: 'inner', conditional: { hide: '=flag != "ON"' } }] } as FormComponent,
      { type: 'text', text: 'plain text, if any' } as FormComponent,
    ]);
    expect(names).to.have.members(['x', 'z', 'contractNo', 'round', 'inner', 'flag']);
  });

  it('every order form reads orderSummary (its 订单概要)', () => {
    for (const id of ['customer-confirmation', 'countersign-review', 'payment-basis-check', 'delivery'])
      expect(refs(id), id).to.include('orderSummary');
    expect(refs('monthly-report-review')).to.not.include('orderSummary');
  });
});
