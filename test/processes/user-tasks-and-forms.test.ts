import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ACCEPTANCE_DECISION,
  AP_ISSUE_RESOLUTION,
  AP_ISSUE_RESOLUTION_LABEL,
  CONTRACT_REVISION_DECISION,
  CONTRACT_TYPE,
  CUSTOMER_DECISION,
  REPORT_REVIEW_DECISION,
  REVIEW_DECISION,
  ROLE_IDS,
  SERVICE_MODULE,
  SERVICE_REQUEST_TYPE,
} from '../../domain/vocabulary';
import {
  type CamundaForm,
  type ParsedModel,
  editableKeys,
  emptyCondition,
  extension,
  flowNodes,
  formFields,
  formFiles,
  inputs,
  loadForm,
  loadModels,
  outputs,
} from '../../processes/model';

/** The 1–5 rating of the customer communication record (docs/staff.md), best first as staff read it. */
const RATING = ['5', '4', '3', '2', '1'];
/** Every choice field of the forms and the vocabulary list its values must equal. */
const CHOICES: Record<string, readonly string[]> = {
  networkQuality: RATING,
  serviceAttitude: RATING,
  customerDecision: CUSTOMER_DECISION,
  reviewDecision: REVIEW_DECISION,
  acceptanceDecision: ACCEPTANCE_DECISION,
  paymentBasisDecision: ACCEPTANCE_DECISION,
  reportDecision: REPORT_REVIEW_DECISION,
  apIssueResolution: AP_ISSUE_RESOLUTION,
  revisionDecision: CONTRACT_REVISION_DECISION,
  contractType: CONTRACT_TYPE,
  requestType: SERVICE_REQUEST_TYPE,
  revisedModules: Object.keys(SERVICE_MODULE),
};
/** Decision fields and the opinion textarea that goes with each. */
const DECISIONS: Record<string, string> = {
  customerDecision: 'customerFeedback',
  reviewDecision: 'reviewOpinion',
  acceptanceDecision: 'acceptanceOpinion',
  paymentBasisDecision: 'paymentBasisOpinion',
  reportDecision: 'reportNote',
  apIssueResolution: 'apIssueNote',
  revisionDecision: 'revisionNote',
};

describe('processes: user tasks and Camunda Forms', () => {
  let models: ParsedModel[];
  before(async () => {
    models = await loadModels();
  });
  const userTasks = () =>
    models.flatMap((m) =>
      flowNodes(m.process)
        .filter((e) => e.$type === 'bpmn:UserTask')
        .map((t) => ({ pid: m.process.id as string, t })),
    );

  it('every user task is a Camunda user task with a linked form (formId, not formKey) that exists', () => {
    expect(userTasks().length).to.be.greaterThan(20);
    for (const { pid, t } of userTasks()) {
      const where = `${pid}#${t.id}`;
      expect(extension(t, 'zeebe:UserTask'), where).to.not.equal(undefined);
      const fd = extension(t, 'zeebe:FormDefinition');
      expect(fd?.formId, where).to.be.a('string');
      expect(fd.formKey, where).to.equal(undefined);
      expect(fd.externalReference, where).to.equal(undefined);
      expect(extension(t, 'zeebe:FormDefinition') && loadForm(fd.formId), `${where}: processes/forms/${fd.formId}.form`).to.not.equal(
        undefined,
      );
    }
  });

  it("candidate groups come from the role list; the customer manager's own tasks are assigned to =customerManager", () => {
    for (const { pid, t } of userTasks()) {
      const where = `${pid}#${t.id}`;
      const ad = extension(t, 'zeebe:AssignmentDefinition');
      const groups = String(ad?.candidateGroups ?? '')
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean);
      expect(groups.length, where).to.be.greaterThan(0);
      for (const g of groups) expect(ROLE_IDS, where).to.include(g);
      expect(ad.candidateUsers, where).to.equal(undefined);
      if (ad.assignee !== undefined) {
        expect(ad.assignee, where).to.equal('=customerManager');
        expect(groups, where).to.deep.equal(['customer-manager']);
      }
      if (groups.includes('customer-manager'))
        expect(ad.assignee, `${where}: customer manager tasks are personal`).to.equal('=customerManager');
    }
  });

  const CASE_HISTORY = ['deptManagerOpinion', 'revenueRevisions'];
  // what a recording service task returned, computed from the form where the recording became the task's
  // completing listener (which may return no variables): the countersign reviews' result and reason
  const LISTENER_OUTPUTS = ['countersignResult', 'rejectionReason'];
  it('each user task exports exactly its form fields (output mappings) and resets completedBy locally', () => {
    for (const { pid, t } of userTasks()) {
      const where = `${pid}#${t.id}`;
      const form = loadForm(extension(t, 'zeebe:FormDefinition').formId)!;
      // besides the form fields, a task may keep the case's history for later forms (issue #20): the
      // department manager's opinion for the center reviewer, the countersign rounds for the next revision
      const sources = outputs(t)
        .filter((o) => !CASE_HISTORY.includes(o.target))
        .filter((o) => !(LISTENER_OUTPUTS.includes(o.target) && extension(t, 'zeebe:TaskListeners')))
        .map((o) => o.source.replace(/^=/, ''));
      expect(sources.filter((s) => s !== 'completedBy').sort(), where).to.deep.equal(editableKeys(form).sort());
      expect(sources, where).to.include('completedBy');
      expect(inputs(t).find((i) => i.target === 'completedBy')?.source, where).to.equal('=null');
    }
  });

  it('forms: valid JSON, id equals file name, Camunda Cloud 8.9, used by some user task', () => {
    const used = new Set(userTasks().map(({ t }) => extension(t, 'zeebe:FormDefinition').formId));
    const files = formFiles();
    expect(files.length).to.be.greaterThan(10);
    for (const file of files) {
      const form = JSON.parse(readFileSync(file, 'utf8')) as CamundaForm;
      const id = path.basename(file, '.form');
      expect(form.id, file).to.equal(id);
      expect(form.type, file).to.equal('default');
      expect(form.executionPlatform, file).to.equal('Camunda Cloud');
      expect(form.executionPlatformVersion, file).to.equal('8.9.0');
      expect(form.schemaVersion, file).to.equal(19);
      expect(used.has(id), `${file} is not used by any user task`).to.equal(true);
      const ids = new Set<string>();
      for (const c of form.components) {
        const cid = (c as { id?: string }).id;
        expect(cid, file).to.be.a('string');
        expect(ids.has(cid!), `${file}: duplicate component id ${cid}`).to.equal(false);
        ids.add(cid!);
        if (c.label) expect(c.label, `${file}: ${c.key}`).to.match(/\p{Script=Han}/u);
      }
    }
  });

  it('forms: inputs are validated; choices carry exactly the values of domain/vocabulary', () => {
    for (const file of formFiles()) {
      const form = JSON.parse(readFileSync(file, 'utf8')) as CamundaForm;
      for (const c of formFields(form)) {
        const where = `${form.id}.${c.key}`;
        if (!c.readonly) {
          expect(c.validate, where).to.be.an('object');
          if (c.type === 'number') expect(c.validate!.min, `${where}: numbers have bounds`).to.be.a('number');
          if (c.type === 'textarea' || c.type === 'textfield')
            expect(c.validate!.maxLength, `${where}: text has a maximum length`).to.be.a('number');
        }
        if (c.values) {
          expect(CHOICES[c.key!], `${where}: choice field without a vocabulary list`).to.not.equal(undefined);
          expect(
            c.values.map((v) => v.value),
            where,
          ).to.deep.equal([...CHOICES[c.key!]]);
          for (const v of c.values) expect(v.label, where).to.match(/\p{Script=Han}/u);
          // the labels of 处理方式 are the vocabulary's, as the worker's messages and the docs name them
          if (c.key === 'apIssueResolution')
            expect(Object.fromEntries(c.values.map((v) => [v.value, v.label])), where).to.deep.equal(AP_ISSUE_RESOLUTION_LABEL);
        }
      }
    }
  });

  it('a decision is a required radio with an opinion field next to it, and the process branches on it', () => {
    const conditions = models.flatMap((m) => flowElementsConditions(m));
    for (const file of formFiles()) {
      const form = JSON.parse(readFileSync(file, 'utf8')) as CamundaForm;
      for (const c of formFields(form)) {
        if (!(c.key! in DECISIONS)) continue;
        expect(c.type, `${form.id}.${c.key}`).to.equal('radio');
        expect(c.validate?.required, `${form.id}.${c.key}`).to.equal(true);
        const opinion = formFields(form).find((f) => f.key === DECISIONS[c.key!]);
        expect(opinion?.type, `${form.id}: opinion ${DECISIONS[c.key!]}`).to.equal('textarea');
        expect(
          conditions.some((x) => x.includes(c.key!)),
          `${c.key} is read by a gateway`,
        ).to.equal(true);
      }
    }
  });

  it('a read-only field hidden when it has no value tests for "" too (form-js hands FEEL "" for an absent text field)', () => {
    for (const file of formFiles()) {
      const form = JSON.parse(readFileSync(file, 'utf8')) as CamundaForm;
      for (const c of formFields(form)) {
        const hide = c.conditional?.hide;
        if (!hide) continue;
        // an input asked for on one choice only (处理AP异常's 新AP编号 on 换一家AP): hidden on every other choice
        const onChoice = /^=([A-Za-z]+) != "([A-Z_]+)"$/.exec(hide);
        if (!c.readonly && onChoice) {
          expect(onChoice[1] in DECISIONS, `${form.id}.${c.key}: shown on a choice of a decision field`).to.equal(true);
          expect(CHOICES[onChoice[1]], `${form.id}.${c.key}`).to.include(onChoice[2]);
          continue;
        }
        // an input asked for when a box of the same form is ticked (修改业务订单's AP on 涉及AP): `!= true`, so an
        // unticked box (false, or null before anyone touched it) hides it
        const onTick = /^=([A-Za-z]+) != true$/.exec(hide);
        if (!c.readonly && onTick) {
          expect(formFields(form).find((f) => f.key === onTick[1])?.type, `${form.id}.${c.key}: shown when a checkbox is ticked`).to.equal(
            'checkbox',
          );
          continue;
        }
        expect(c.readonly, `${form.id}.${c.key}: only displays are hidden`).to.equal(true);
        if (c.type === 'checklist') expect(hide, `${form.id}.${c.key}`).to.equal(`=${c.key} = null or count(${c.key}) = 0`);
        else expect(hide, `${form.id}.${c.key}`).to.equal(emptyCondition(c.key!));
      }
    }
  });

  it('reviewers see what they decide on: the contract number and amount in the countersign form, bound to variables the model provides', () => {
    const form = loadForm('countersign-review')!;
    const shown = formFields(form)
      .filter((f) => f.readonly)
      .map((f) => f.key);
    expect(shown).to.include.members(['contractNo', 'contractAmount', 'contractType']);
    const signing = loadForm('revenue-contract-signing')!;
    expect(
      formFields(signing)
        .filter((f) => f.readonly)
        .map((f) => f.key),
    ).to.include.members(['revenueContractNo', 'revenueCountersignFormNo', 'contractAmount']);
  });
});

function flowElementsConditions(m: ParsedModel): string[] {
  const out: string[] = [];
  const walk = (c: { flowElements?: { $type: string; conditionExpression?: { body: string }; flowElements?: unknown[] }[] }) => {
    for (const e of c.flowElements ?? []) {
      if (e.conditionExpression) out.push(e.conditionExpression.body);
      if (e.flowElements) walk(e as never);
    }
  };
  walk(m.process);
  return out;
}
