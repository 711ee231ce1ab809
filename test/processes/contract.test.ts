import { expect } from 'chai';
import { BPMN_ERROR, JOB, MESSAGE, PROCESS } from '../../domain/vocabulary';
import {
  type El,
  type ParsedModel,
  boundaryEventsOf,
  completingListenerTypes,
  creatingListenerTypes,
  documentation,
  eventDefinition,
  extension,
  flowNodes,
  inputs,
  jobType,
  loadModels,
  outputs,
  sequenceFlows,
} from '../../processes/model';

/** Element ids, kinds and job types fixed by docs/process-contract.md, per process. */
const CONTRACT: Record<string, Record<string, string>> = {
  [PROCESS.provisioning]: {
    'order-submitted-start': 'bpmn:StartEvent',
    'confirm-order-with-customer': 'bpmn:UserTask',
    'customer-decision': 'bpmn:ExclusiveGateway',
    'revise-order': 'bpmn:UserTask',
    'apply-order-revision': JOB.orderApplyRevision,
    'cancel-order': JOB.orderCancel,
    'order-declined': 'bpmn:EndEvent',
    'draft-revenue-contract': 'bpmn:UserTask',
    'countersign-revenue-contract': 'bpmn:CallActivity',
    'revenue-countersign-result': 'bpmn:ExclusiveGateway',
    'revise-revenue-contract': 'bpmn:UserTask',
    'apply-revenue-contract-revision': JOB.revenueContractApplyRevision,
    'sign-revenue-contract': 'bpmn:UserTask',
    'implementation-fork': 'bpmn:ParallelGateway',
    'configure-platform': 'bpmn:UserTask',
    'accept-configuration': 'bpmn:UserTask',
    'acceptance-result': 'bpmn:ExclusiveGateway',
    'ap-involved': 'bpmn:ExclusiveGateway',
    'draft-expense-contract': JOB.expenseContractDraft,
    'countersign-expense-contract': 'bpmn:CallActivity',
    'revise-expense-contract': 'bpmn:UserTask',
    // a message throw event with a job (the request to the AP); its refusal is decided by the gateway after it
    'request-ap-implementation': JOB.expenseContractRequestImplementation,
    'ap-request-accepted': 'bpmn:ExclusiveGateway',
    'resolve-ap-issue': 'bpmn:UserTask',
    'record-ap-issue-resolution': JOB.apIssueRecordResolution,
    'new-ap-partner-unavailable': 'bpmn:BoundaryEvent',
    'ap-issue-decision': 'bpmn:ExclusiveGateway',
    'order-cancelled-after-ap-issue': 'bpmn:EndEvent',
    'ap-implementation': 'bpmn:SubProcess',
    'ap-implementation-completed': 'bpmn:IntermediateCatchEvent',
    'ap-sla-reminder': 'bpmn:BoundaryEvent',
    'remind-ap-sla': JOB.expenseContractRemindSla,
    'check-payment-basis': 'bpmn:UserTask',
    'payment-basis-result': 'bpmn:ExclusiveGateway',
    'ap-merge': 'bpmn:ExclusiveGateway',
    'implementation-join': 'bpmn:ParallelGateway',
    'deliver-to-customer': 'bpmn:UserTask',
    'file-completion-record': 'bpmn:UserTask',
    'completion-reminder': 'bpmn:BoundaryEvent',
    'send-completion-reminder': JOB.completionSendReminder,
    'completion-overdue': 'bpmn:BoundaryEvent',
    'escalate-completion-overdue': JOB.completionEscalateOverdue,
    'order-completed': 'bpmn:EndEvent',
  },
  [PROCESS.change]: {
    'change-order-submitted-start': 'bpmn:StartEvent',
    'confirm-change-with-customer': 'bpmn:UserTask',
    'revise-change-order': 'bpmn:UserTask',
    'cancel-change-order': JOB.changeOrderCancel,
    'change-declined': 'bpmn:EndEvent',
    'draft-supplementary-agreement': 'bpmn:UserTask',
    'countersign-supplementary-agreement': 'bpmn:CallActivity',
    'revise-supplementary-agreement': 'bpmn:UserTask',
    'supplementary-revision-decision': 'bpmn:ExclusiveGateway',
    'apply-supplementary-agreement-revision': JOB.revenueContractApplyRevision,
    'withdraw-change-order': JOB.changeOrderCancel,
    'change-withdrawn': 'bpmn:EndEvent',
    'sign-supplementary-agreement': 'bpmn:UserTask',
    'implementation-fork': 'bpmn:ParallelGateway',
    'platform-change': 'bpmn:ExclusiveGateway',
    'ap-scope-change': 'bpmn:ExclusiveGateway',
    'draft-expense-supplement': JOB.expenseContractDraftSupplement,
    'countersign-expense-contract': 'bpmn:CallActivity',
    // a message throw event with a job (the request to the AP); its refusal is decided by the gateway after it
    'request-ap-implementation': JOB.expenseContractRequestImplementation,
    'ap-request-accepted': 'bpmn:ExclusiveGateway',
    'resolve-ap-issue': 'bpmn:UserTask',
    'record-ap-issue-resolution': JOB.apIssueRecordResolution,
    'new-ap-partner-unavailable': 'bpmn:BoundaryEvent',
    'ap-issue-decision': 'bpmn:ExclusiveGateway',
    'change-cancelled-after-ap-issue': 'bpmn:EndEvent',
    'ap-implementation': 'bpmn:SubProcess',
    'implementation-join': 'bpmn:ParallelGateway',
    'file-completion-record': 'bpmn:UserTask',
    'change-completed': 'bpmn:EndEvent',
  },
  [PROCESS.countersign]: {
    'open-countersign-round': JOB.countersignOpenRound,
    'dept-manager-review': 'bpmn:UserTask',
    'dept-manager-decision': 'bpmn:ExclusiveGateway',
    'countersign-rejected': 'bpmn:EndEvent',
    'center-review': 'bpmn:UserTask',
    'center-decision': 'bpmn:ExclusiveGateway',
    'countersign-rejected-by-center': 'bpmn:EndEvent',
    'issue-countersign-form': JOB.countersignIssueForm,
    'countersign-approved': 'bpmn:EndEvent',
  },
  [PROCESS.monthlyReport]: {
    'monthly-report-start': 'bpmn:StartEvent',
    'generate-monthly-report': JOB.accountMonitoringGenerateMonthlyReport,
    'review-monthly-report': 'bpmn:UserTask',
    'report-late': 'bpmn:BoundaryEvent',
    'escalate-late-report': JOB.accountMonitoringEscalateLateReport,
    'report-decision': 'bpmn:ExclusiveGateway',
    'publish-monthly-report': JOB.accountMonitoringPublishMonthlyReport,
  },
  [PROCESS.serviceRequest]: {
    'service-request-logged-start': 'bpmn:StartEvent',
    'route-request': 'bpmn:ExclusiveGateway',
    'handle-fault': 'bpmn:UserTask',
    'handle-complaint': 'bpmn:UserTask',
    'handle-consultation': 'bpmn:UserTask',
    'file-communication-record': 'bpmn:UserTask',
  },
};

/**
 * The recordings that run as a user task's completing listener (docs/process-contract.md), per process:
 * user task id → job type, or the job types in the order they run. No other element has a task listener.
 */
const LISTENERS: Record<string, Record<string, string | string[]>> = {
  [PROCESS.provisioning]: {
    'configure-platform': JOB.collaborationTaskOrderRecordReply,
    'accept-configuration': JOB.collaborationTaskOrderRecordAcceptance,
    'check-payment-basis': JOB.expenseContractRecordPaymentBasisCheck,
    'deliver-to-customer': [JOB.deliveryRecord, JOB.completionComputeDeadline],
    'file-completion-record': JOB.completionRecordCompletion,
    'revise-expense-contract': JOB.expenseContractApplyRevision,
    'draft-revenue-contract': JOB.revenueContractRegister,
    // the contract admin signs and enters the accounts in one step (§6.4): the signing is recorded first
    'sign-revenue-contract': [JOB.revenueContractRecordSigning, JOB.accountMonitoringRegisterAccounts],
    'confirm-order-with-customer': JOB.orderRecordCustomerDecision,
  },
  [PROCESS.countersign]: {
    'dept-manager-review': JOB.countersignRecordDecision,
    'center-review': JOB.countersignRecordDecision,
  },
  [PROCESS.serviceRequest]: {
    'handle-fault': JOB.serviceRequestRecordHandling,
    'handle-complaint': JOB.serviceRequestRecordHandling,
    'handle-consultation': JOB.serviceRequestRecordHandling,
    'file-communication-record': JOB.serviceRequestClose,
  },
  [PROCESS.change]: {
    'confirm-change-with-customer': JOB.changeOrderRecordCustomerDecision,
    'revise-change-order': JOB.changeOrderApplyRevision,
    'draft-supplementary-agreement': JOB.revenueContractRegisterSupplement,
    'sign-supplementary-agreement': [JOB.revenueContractRecordSigning, JOB.accountMonitoringApplyAccountDelta],
    'configure-platform': JOB.collaborationTaskOrderRecordReply,
    'accept-configuration': JOB.collaborationTaskOrderRecordAcceptance,
    'check-payment-basis': JOB.expenseContractRecordPaymentBasisCheck,
    'deliver-to-customer': [JOB.deliveryRecord, JOB.completionComputeDeadline],
    'file-completion-record': JOB.completionRecordCompletion,
  },
};

/**
 * What runs as a user task is created: its creating listeners (docs/process-contract.md), per process: user
 * task id → job type. A request the task is (协作任务单), or what its form offers (修改业务订单's AP list);
 * a task here without a completing listener is in no LISTENERS entry.
 */
const CREATING_LISTENERS: Record<string, Record<string, string>> = {
  // 协作任务单 (§6.3.2): issued when the technical department's task is created, once per order / change order;
  // 修改业务订单 (§6.3.1): the AP partners its select offers, listed anew each time the task is created
  [PROCESS.provisioning]: { 'configure-platform': JOB.collaborationTaskOrderIssue, 'revise-order': JOB.orderOfferApPartners },
  [PROCESS.change]: { 'configure-platform': JOB.collaborationTaskOrderIssue },
};

/** The constructs the local engine supports (the issue's list). */
const ALLOWED_TYPES = new Set([
  'bpmn:StartEvent',
  'bpmn:EndEvent',
  'bpmn:ServiceTask',
  'bpmn:UserTask',
  'bpmn:ExclusiveGateway',
  'bpmn:ParallelGateway',
  'bpmn:IntermediateCatchEvent',
  // only as a message throw event with a job (Zeebe's job worker element), see the test below
  'bpmn:IntermediateThrowEvent',
  'bpmn:BoundaryEvent',
  'bpmn:SubProcess',
  'bpmn:CallActivity',
  'bpmn:SequenceFlow',
]);

describe('processes: models follow docs/process-contract.md', () => {
  let models: ParsedModel[];
  const model = (id: string) => models.find((m) => m.process.id === id)!;
  const el = (pid: string, id: string): El => flowNodes(model(pid).process).find((e) => e.id === id);
  before(async () => {
    models = await loadModels();
  });

  it('there is one file per process id, named <id>.bpmn, executable, parsed without warnings', () => {
    expect(models.map((m) => m.process.id).sort()).to.deep.equal(Object.values(PROCESS).sort());
    for (const m of models) {
      expect(m.file.endsWith(`/${m.process.id}.bpmn`), m.file).to.equal(true);
      expect(m.process.isExecutable, m.file).to.equal(true);
      expect(m.warnings, m.file).to.deep.equal([]);
      expect(m.definitions.executionPlatform, m.file).to.equal('Camunda Cloud');
      expect(m.definitions.executionPlatformVersion, m.file).to.equal('8.9.0');
      expect(m.process.name, m.file).to.match(/\p{Script=Han}/u);
    }
  });

  it('every element id, kind and job type of the contract is in the model', () => {
    for (const [pid, elements] of Object.entries(CONTRACT)) {
      for (const [id, kind] of Object.entries(elements)) {
        const e = el(pid, id);
        expect(e, `${pid}#${id}`).to.not.equal(undefined);
        if (kind.startsWith('bpmn:')) expect(e.$type, `${pid}#${id}`).to.equal(kind);
        else {
          // a job type: a service task, or a message throw event (Zeebe runs both as jobs)
          expect(e.$type, `${pid}#${id}`).to.be.oneOf(['bpmn:ServiceTask', 'bpmn:IntermediateThrowEvent']);
          expect(jobType(e), `${pid}#${id}`).to.equal(kind);
        }
      }
    }
    for (const [pid, tasks] of Object.entries(LISTENERS)) {
      for (const [id, type] of Object.entries(tasks)) {
        const e = el(pid, id);
        expect(e?.$type, `${pid}#${id}`).to.equal('bpmn:UserTask');
        expect(completingListenerTypes(e), `${pid}#${id}`).to.deep.equal([type].flat());
        const creating = CREATING_LISTENERS[pid]?.[id];
        expect(creatingListenerTypes(e), `${pid}#${id} creating`).to.deep.equal(creating ? [creating] : []);
      }
    }
    for (const [pid, tasks] of Object.entries(CREATING_LISTENERS))
      for (const [id, type] of Object.entries(tasks)) {
        const e = el(pid, id);
        expect(e?.$type, `${pid}#${id}`).to.equal('bpmn:UserTask');
        expect(creatingListenerTypes(e), `${pid}#${id} creating`).to.deep.equal([type]);
        if (!LISTENERS[pid]?.[id]) expect(completingListenerTypes(e), `${pid}#${id} completing`).to.deep.equal([]);
      }
    // the service task the creating listener replaced is gone from both models
    expect(el(PROCESS.provisioning, 'issue-collaboration-task-order')).to.equal(undefined);
    expect(el(PROCESS.change, 'issue-collaboration-task-order')).to.equal(undefined);
  });

  it('uses only the constructs the local engine supports, without execution listeners; task listeners only where the contract names them', () => {
    for (const m of models) {
      for (const e of [...flowNodes(m.process), ...sequenceFlows(m.process)]) {
        expect(ALLOWED_TYPES.has(e.$type), `${m.process.id}#${e.id} ${e.$type}`).to.equal(true);
        expect(e.loopCharacteristics, `${m.process.id}#${e.id}`).to.equal(undefined);
        expect(extension(e, 'zeebe:ExecutionListeners'), `${m.process.id}#${e.id}`).to.equal(undefined);
        if (!LISTENERS[m.process.id]?.[e.id] && !CREATING_LISTENERS[m.process.id]?.[e.id])
          expect(extension(e, 'zeebe:TaskListeners'), `${m.process.id}#${e.id}`).to.equal(undefined);
        const def = eventDefinition(e);
        if (def)
          expect(
            ['bpmn:MessageEventDefinition', 'bpmn:TimerEventDefinition', 'bpmn:ErrorEventDefinition', 'bpmn:TerminateEventDefinition'],
            `${m.process.id}#${e.id}`,
          ).to.include(def.$type);
        // a terminate end only where an order ends while another branch still runs (处理AP异常 → 取消, issue #20)
        if (def?.$type === 'bpmn:TerminateEventDefinition') expect(e.id, `${m.process.id}#${e.id}`).to.match(/-cancelled-after-ap-issue$/);
        if (def?.$type === 'bpmn:ErrorEventDefinition')
          expect(e.$type, `${e.id}: errors are only caught, never thrown by the model`).to.equal('bpmn:BoundaryEvent');
        // a throw event only as the job worker element that sends a message (its job does the sending)
        if (e.$type === 'bpmn:IntermediateThrowEvent') {
          expect(def?.$type, `${m.process.id}#${e.id}`).to.equal('bpmn:MessageEventDefinition');
          expect(jobType(e), `${m.process.id}#${e.id}`).to.be.a('string');
        }
      }
    }
  });

  it('every activity, event and gateway has a Chinese name; every activity cites a clause (§) in its documentation', () => {
    for (const m of models) {
      for (const e of flowNodes(m.process)) {
        const joining = /Gateway$/.test(e.$type) && (e.outgoing ?? []).length <= 1;
        if (!joining) expect(e.name ?? '', `${m.process.id}#${e.id}`).to.match(/\p{Script=Han}/u);
        expect(e.id, `${m.process.id}#${e.id}`).to.match(/^[a-z][a-z0-9-]*$/);
        if (/Task$|CallActivity|SubProcess/.test(e.$type)) expect(documentation(e), `${m.process.id}#${e.id}`).to.match(/§\d+(\.\d+)*/);
      }
    }
  });

  it('message start events: order-submitted, change-order-submitted, service-request-logged, with correlation keys', () => {
    const starts: [string, string, string, string][] = [
      [PROCESS.provisioning, 'order-submitted-start', MESSAGE.orderSubmitted, '=orderNo'],
      [PROCESS.change, 'change-order-submitted-start', MESSAGE.changeOrderSubmitted, '=changeOrderNo'],
      [PROCESS.serviceRequest, 'service-request-logged-start', MESSAGE.serviceRequestLogged, '=requestNo'],
    ];
    for (const [pid, id, name, key] of starts) {
      const def = eventDefinition(el(pid, id));
      expect(def.$type).to.equal('bpmn:MessageEventDefinition');
      expect(def.messageRef.name).to.equal(name);
      expect(extension(def.messageRef, 'zeebe:Subscription')?.correlationKey).to.equal(key);
    }
  });

  it('countersign is a call activity without variable propagation, with explicit input and output mappings', () => {
    const calls: [string, string, string, string][] = [
      [PROCESS.provisioning, 'countersign-revenue-contract', 'REVENUE', 'revenue'],
      [PROCESS.provisioning, 'countersign-expense-contract', 'EXPENSE', 'expense'],
      [PROCESS.change, 'countersign-supplementary-agreement', 'REVENUE', 'revenue'],
      [PROCESS.change, 'countersign-expense-contract', 'EXPENSE', 'expense'],
    ];
    for (const [pid, id, type, prefix] of calls) {
      const e = el(pid, id);
      const called = extension(e, 'zeebe:CalledElement');
      expect(called.processId).to.equal(PROCESS.countersign);
      expect(called.propagateAllChildVariables).to.equal(false);
      expect(
        inputs(e)
          .map((i) => i.target)
          .sort(),
      ).to.deep.equal(['contractId', 'contractNo', 'contractType', 'orderNo', 'orderSummary']);
      expect(inputs(e).find((i) => i.target === 'contractType')!.source).to.equal(`="${type}"`);
      expect(
        outputs(e)
          .map((o) => o.target)
          .sort(),
      ).to.deep.equal([`${prefix}CountersignFormNo`, `${prefix}CountersignResult`, `${prefix}RejectionReason`].sort());
    }
  });

  it('AP branch: optional inside the parallel part, merged before the join; errors caught where the contract says', () => {
    for (const [pid, gw, draft] of [
      [PROCESS.provisioning, 'ap-involved', 'draft-expense-contract'],
      [PROCESS.change, 'ap-scope-change', 'draft-expense-supplement'],
    ]) {
      const g = el(pid, gw);
      expect(g.default, `${pid}: the skip is the default flow`).to.not.equal(undefined);
      expect(g.default.targetRef.id).to.equal('ap-merge');
      expect(g.incoming[0].sourceRef.id).to.equal('implementation-fork');
      expect(el(pid, 'ap-merge').outgoing[0].targetRef.id).to.equal('implementation-join');
      const errorOf = (host: string) =>
        boundaryEventsOf(model(pid).process, el(pid, host))
          .filter((b) => eventDefinition(b)?.$type === 'bpmn:ErrorEventDefinition')
          .map((b) => eventDefinition(b).errorRef.errorCode);
      expect(errorOf(draft)).to.deep.equal([BPMN_ERROR.apPartnerUnavailable]);
      // 向AP发出实施请求: a message throw event (no boundary events possible) at the process level, so the
      // payment-basis send-back re-entering AP实施 does not send it again; AP接受请求? after it decides
      const request = el(pid, 'request-ap-implementation');
      expect(request.$parent.id, pid).to.equal(pid);
      expect(eventDefinition(request).$type).to.equal('bpmn:MessageEventDefinition');
      expect(boundaryEventsOf(model(pid).process, request)).to.deep.equal([]);
      const accepted = el(pid, 'ap-request-accepted');
      expect(request.outgoing.map((f: El) => f.targetRef.id)).to.deep.equal(['ap-request-accepted']);
      expect(accepted.default.targetRef.id, `${pid}: a refusal (or no answer variable) is the default`).to.equal('ap-issue-merge');
      const yes = accepted.outgoing.filter((f: El) => f !== accepted.default);
      expect(yes.map((f: El) => [f.targetRef.id, f.conditionExpression.body])).to.deep.equal([
        ['ap-implementation-merge', '=apRequestAccepted = true'],
      ]);
      // the refusal reaches 处理AP异常 with what the error boundary's output mappings gave it
      const outs = Object.fromEntries(outputs(request).map((o) => [o.target, o.source]));
      expect(outs).to.include({
        apIssue: '=apRejectionReason',
        apPartnerOptions: '=apPartnerOptions',
        apRequestAccepted: '=apRequestAccepted',
      });
      // 换一家AP to an AP that cannot take the order brings 处理AP异常 back (issue #20)
      expect(errorOf('record-ap-issue-resolution')).to.deep.equal([BPMN_ERROR.apPartnerUnavailable]);
      // a revision naming an unavailable AP goes back to 修改业务订单 (issue #20)
      const revision = pid === PROCESS.provisioning ? ['apply-order-revision'] : [];
      for (const host of revision) expect(errorOf(host)).to.deep.equal([BPMN_ERROR.apPartnerUnavailable]);
      if (pid === PROCESS.provisioning) {
        // back there the task is created again, so its creating listener lists the partners anew: the boundary
        // hands over the reason only, and the select starts on the order's AP (its input; a mapping cannot read
        // the listener's apPartnerOptions, Zeebe evaluates it before the listener runs)
        const back = boundaryEventsOf(model(pid).process, el(pid, 'apply-order-revision'))[0];
        expect(outputs(back).map((o) => [o.target, o.source])).to.deep.equal([['revisionIssue', '=apIssue']]);
        expect(back.outgoing[0].targetRef.id).to.equal('revise-order-merge');
        const ins = inputs(el(pid, 'revise-order'));
        expect(ins.find((i) => i.target === 'revisedApPartnerId')?.source).to.equal('=apPartnerId');
        for (const i of ins) expect(i.source, `revise-order input ${i.target}`).to.not.contain('apPartnerOptions');
      }
      // no other error boundaries: technical failures are not caught
      const allErrorBoundaries = flowNodes(model(pid).process).filter((b) => eventDefinition(b)?.$type === 'bpmn:ErrorEventDefinition');
      expect(allErrorBoundaries).to.have.length(2 + revision.length);
      // AP completion: message catch correlated by expenseContractNo inside the embedded sub-process, SLA timer non-interrupting
      const catchEvent = el(pid, 'ap-implementation-completed');
      expect(catchEvent.$parent.id).to.equal('ap-implementation');
      const msg = eventDefinition(catchEvent).messageRef;
      expect(msg.name).to.equal(MESSAGE.apImplementationCompleted);
      expect(extension(msg, 'zeebe:Subscription').correlationKey).to.equal('=expenseContractNo');
      // the submission recorded the receipt (issue #20): the message brings the basis and its version, the
      // sub-process leads straight to 核对支付依据, whose send-back loops to the sub-process for a new message
      expect(outputs(catchEvent).map((o) => o.target)).to.have.members(['paymentBasisId', 'paymentBasisNo', 'paymentBasisVersion']);
      expect(el(pid, 'record-payment-basis'), `${pid}: 登记支付依据 is gone`).to.equal(undefined);
      const sub = el(pid, 'ap-implementation');
      expect(sub.outgoing.map((f: El) => f.targetRef.id)).to.deep.equal(['check-payment-basis']);
      const sentBack = el(pid, 'payment-basis-result').outgoing.find((f: El) => f.targetRef.id === 'ap-implementation-merge');
      expect(sentBack?.conditionExpression?.body, `${pid}: 退回AP loops to the AP sub-process`).to.contain('SENT_BACK');
      const sla = el(pid, 'ap-sla-reminder');
      expect(sla.attachedToRef.id).to.equal('ap-implementation');
      expect(sla.cancelActivity).to.equal(false);
      expect(eventDefinition(sla).timeDuration.body).to.equal('=apSlaDuration');
    }
  });

  it('completion record: due date, non-interrupting reminder and escalation timers', () => {
    for (const pid of [PROCESS.provisioning, PROCESS.change]) {
      const task = el(pid, 'file-completion-record');
      expect(extension(task, 'zeebe:TaskSchedule').dueDate).to.equal('=completionDeadline');
      const boundaries = boundaryEventsOf(model(pid).process, task);
      const timers = boundaries
        .filter((b) => eventDefinition(b).$type === 'bpmn:TimerEventDefinition')
        .map((b) => [b.id, b.cancelActivity, eventDefinition(b).timeDate?.body]);
      expect(timers).to.have.deep.members([
        ['completion-reminder', false, '=completionReminderAt'],
        ['completion-overdue', false, '=completionDeadline'],
      ]);
      // a firmed deadline (calendar upload) interrupts the task and goes straight back to it (the message
      // carries the new figures, domain/deadline-firming.ts), so the task, its due date and both timers are
      // created again from them; no compute step on that loop
      const firmed = boundaries.filter((b) => eventDefinition(b).$type === 'bpmn:MessageEventDefinition');
      expect(firmed.map((b) => [b.id, b.cancelActivity, eventDefinition(b).messageRef?.name])).to.deep.equal([
        ['deadline-firmed', true, MESSAGE.deadlineFirmed],
      ]);
      const merge = el(pid, 'completion-deadline-merge');
      expect(firmed[0].outgoing.map((f: { targetRef: { id: string } }) => f.targetRef.id)).to.deep.equal([merge.id]);
      expect(merge.outgoing.map((f: { targetRef: { id: string } }) => f.targetRef.id)).to.deep.equal([task.id]);
      expect(merge.incoming.map((f: { sourceRef: { id: string } }) => f.sourceRef.id)).to.have.members([
        'deliver-to-customer',
        firmed[0].id,
      ]);
    }
    const review = el(PROCESS.monthlyReport, 'review-monthly-report');
    expect(extension(review, 'zeebe:TaskSchedule').dueDate).to.equal('=reportDueAt');
    const late = el(PROCESS.monthlyReport, 'report-late');
    expect([late.cancelActivity, eventDefinition(late).timeDate.body]).to.deep.equal([false, '=reportDueAt']);
  });

  it('loops: rejection and change requests go back to revision and then to the step again; a declined order ends in its own end event', () => {
    const reaches = (pid: string, from: string, to: string): boolean => {
      const seen = new Set<string>();
      const stack = [el(pid, from)];
      while (stack.length) {
        const n = stack.pop()!;
        for (const f of n.outgoing ?? []) {
          const t = f.targetRef;
          if (t.id === to) return true;
          if (!seen.has(t.id)) {
            seen.add(t.id);
            stack.push(t);
          }
        }
      }
      return false;
    };
    expect(reaches(PROCESS.provisioning, 'revise-order', 'confirm-order-with-customer')).to.equal(true);
    expect(reaches(PROCESS.provisioning, 'revise-revenue-contract', 'countersign-revenue-contract')).to.equal(true);
    expect(reaches(PROCESS.provisioning, 'revise-expense-contract', 'countersign-expense-contract')).to.equal(true);
    expect(reaches(PROCESS.provisioning, 'resolve-ap-issue', 'draft-expense-contract')).to.equal(true);
    // the ways out of 处理AP异常 (issue #20): on without the AP to the join, or the terminate end; a new AP
    // that cannot take the order brings the task back
    expect(reaches(PROCESS.provisioning, 'ap-issue-decision', 'ap-merge')).to.equal(true);
    expect(reaches(PROCESS.provisioning, 'ap-issue-decision', 'order-cancelled-after-ap-issue')).to.equal(true);
    expect(reaches(PROCESS.provisioning, 'new-ap-partner-unavailable', 'resolve-ap-issue')).to.equal(true);
    expect(reaches(PROCESS.change, 'ap-issue-decision', 'draft-expense-supplement')).to.equal(true);
    expect(reaches(PROCESS.change, 'ap-issue-decision', 'ap-merge')).to.equal(true);
    expect(reaches(PROCESS.change, 'ap-issue-decision', 'change-cancelled-after-ap-issue')).to.equal(true);
    expect(reaches(PROCESS.provisioning, 'check-payment-basis', 'ap-implementation')).to.equal(true);
    expect(reaches(PROCESS.provisioning, 'accept-configuration', 'configure-platform')).to.equal(true);
    // the tech branch of a change stays conditional: only 涉及平台变更 = 是 leads to the task (and its task order)
    const toTech = el(PROCESS.change, 'platform-change').outgoing.find((f: El) => f.targetRef.id === 'configuration-merge');
    expect(toTech?.conditionExpression?.body).to.equal('=platformChange = true');
    expect(el(PROCESS.change, 'platform-change').default?.targetRef.id).to.equal('platform-merge');
    expect(reaches(PROCESS.change, 'revise-change-order', 'confirm-change-with-customer')).to.equal(true);
    // 修改补充协议 (issue #20): revised back to the countersign, or the change order withdrawn at its own end
    expect(reaches(PROCESS.change, 'revise-supplementary-agreement', 'countersign-supplementary-agreement')).to.equal(true);
    expect(el(PROCESS.change, 'withdraw-change-order').outgoing.map((f: El) => f.targetRef.id)).to.deep.equal(['change-withdrawn']);
    expect(reaches(PROCESS.change, 'withdraw-change-order', 'change-completed')).to.equal(false);
    expect(reaches(PROCESS.monthlyReport, 'review-monthly-report', 'generate-monthly-report')).to.equal(true);
    expect(el(PROCESS.provisioning, 'cancel-order').outgoing.map((f: El) => f.targetRef.id)).to.deep.equal(['order-declined']);
    expect(el(PROCESS.change, 'cancel-change-order').outgoing.map((f: El) => f.targetRef.id)).to.deep.equal(['change-declined']);
    expect(reaches(PROCESS.provisioning, 'cancel-order', 'order-completed')).to.equal(false);
  });

  it('monthly report: 6-field cron timer start, documented as evaluated in the broker time zone (Asia/Shanghai)', () => {
    const start = el(PROCESS.monthlyReport, 'monthly-report-start');
    expect(eventDefinition(start).timeCycle.body).to.equal('0 0 1 1 * *');
    expect(documentation(start)).to.include('Asia/Shanghai');
    expect(documentation(start)).to.match(/JVM|时区/);
  });

  it('service requests are routed by type to ops, dept-manager and the customer manager', () => {
    const route = el(PROCESS.serviceRequest, 'route-request');
    const targets = Object.fromEntries(route.outgoing.map((f: El) => [f.conditionExpression.body, f.targetRef.id]));
    expect(targets).to.deep.equal({
      '=requestType = "FAULT"': 'handle-fault',
      '=requestType = "COMPLAINT"': 'handle-complaint',
      '=requestType = "CONSULTATION"': 'handle-consultation',
    });
    const groups = (id: string) => extension(el(PROCESS.serviceRequest, id), 'zeebe:AssignmentDefinition');
    expect(groups('handle-fault').candidateGroups).to.equal('ops');
    expect(groups('handle-complaint').candidateGroups).to.equal('dept-manager');
    expect(groups('handle-consultation').assignee).to.equal('=customerManager');
  });
});
