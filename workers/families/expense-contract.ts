/**
 * expense-contract.* — expense contract 支出合同 with the AP and its payment basis 支付依据 (§6.3.2, §6.3.3).
 * The rules live in domain/contracts.ts and domain/payment-bases.ts; these handlers map the variables,
 * talk to the AP's endpoint (the one effect outside the database) and run the domain services once per key.
 *
 *  draft / draft-supplement  from the order (change order) and the partner's terms; partner suspended or
 *                            without terms → BPMN error AP_PARTNER_UNAVAILABLE; one contract per order /
 *                            change; drafting again after an AP issue is a new version of it (key job)
 *  revise                    after a rejected countersign: version n+1 (key job)
 *  request-implementation    (the message throw event 向AP发出实施请求) signed JSON POST to the partner's
 *                            endpoint (ap-signing.ts) with the job key as Idempotency-Key; 2xx →
 *                            IMPLEMENTATION_REQUESTED, apSlaDuration; network error / 408 / 429 / 5xx →
 *                            fail with back-off; other 4xx or the partner suspended → completed with
 *                            apRequestAccepted=false and the AP's reason
 *  send-implementation-request  retired (older process versions): the same request, a refusal being the
 *                            BPMN error AP_REQUEST_REJECTED
 *  remind-sla                notification to the customer manager and the AP (key job)
 *  record-payment-basis      retired (old process versions only): the API records the AP's submission;
 *                            this makes sure of it (key payment basis + version)
 *  record-payment-basis-check  the contract admin's decision per payment-basis version
 */
import { draftExpenseContract, reviseContract } from '../../domain/contracts';
import {
  implementationRequestOf,
  markImplementationRequested,
  recordImplementationRefused,
  remindApSla,
  type ImplementationRequest,
} from '../../domain/ap-implementation';
import { availablePartnerOptions } from '../../domain/ap-issues';
import { ApPartnerUnavailableError } from '../../domain/errors';
import { recordPaymentBasisCheck as checkPaymentBasis, recordPaymentBasisReceived, requirePaymentBasis } from '../../domain/payment-bases';
import { enqueueNotification } from '../../domain/outbox';
import { ACCEPTANCE_DECISION, BPMN_ERROR, JOB, type JobType, RETIRED_JOB } from '../../domain/vocabulary';
import { bpmnError, complete, fail, type Outcome, type Variables } from '../runtime/outcome';
import { defineHandler, type JobView, type Services } from '../runtime/job';
import { S } from '../runtime/validate';
import { checked, once, storedResult } from '../runtime/once';
import { recordOnce, SYSTEM_ACTOR, systemOnce, writeContext } from '../common';
import { signedHeaders } from './ap-signing';

/** drafting through the domain; an unavailable partner is the BPMN error the model catches */
async function draftOnce(
  job: JobView,
  services: Services,
  input: { orderId?: string | null; changeOrderId?: string | null; apPartnerId?: string | null },
): Promise<Outcome> {
  try {
    return await systemOnce(job, services, `job:${job.key}`, async (em, ctx) => {
      const c = await draftExpenseContract(em, input, ctx);
      return { expenseContractId: c.id, expenseContractNo: c.contractNo, expenseContractAmount: c.amount };
    });
  } catch (e) {
    if (!(e instanceof ApPartnerUnavailableError)) throw e;
    const why = String(e.details.why);
    const apPartnerOptions = await availablePartnerOptions(services.dataSource, input.apPartnerId);
    return bpmnError(BPMN_ERROR.apPartnerUnavailable, why, { apIssue: why, apPartnerOptions });
  }
}

export const draft = defineHandler({
  type: JOB.expenseContractDraft,
  variables: S.obj({ orderId: S.str }, { orderNo: S.optStr, apPartnerId: S.optStr }),
  handle: (job, services) => draftOnce(job, services, { orderId: job.variables.orderId, apPartnerId: job.variables.apPartnerId }),
});

export const draftSupplement = defineHandler({
  type: JOB.expenseContractDraftSupplement,
  variables: S.obj({ changeOrderId: S.str }, { orderId: S.optStr, changeOrderNo: S.optStr, apPartnerId: S.optStr }),
  handle: (job, services) =>
    draftOnce(job, services, {
      changeOrderId: job.variables.changeOrderId,
      orderId: job.variables.orderId,
      apPartnerId: job.variables.apPartnerId,
    }),
});

export const revise = defineHandler({
  type: JOB.expenseContractApplyRevision,
  variables: S.obj(
    { expenseContractId: S.str },
    { revisionNote: S.optStr, contractAmount: S.nullable(S.atLeast(0)), completedBy: S.optStr },
  ),
  handle(job, services) {
    const v = job.variables;
    return recordOnce(
      job,
      services,
      `job:${job.key}`,
      async (em, ctx) => {
        const changes = { amount: v.contractAmount ?? undefined, ...(v.revisionNote ? { note: v.revisionNote } : {}) };
        const c = await reviseContract(em, 'EXPENSE', v.expenseContractId, changes, ctx);
        return { expenseContractVersion: c.currentVersion };
      },
      { reason: v.revisionNote || null },
    );
  },
});

function excerpt(s: string, n = 300): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

/** the AP's stated reason in a 4xx body: JSON {reason|message|detail|title} or the text */
function reasonOf(body: string): string {
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    for (const k of ['reason', 'message', 'detail', 'title', 'error']) if (typeof j[k] === 'string' && j[k]) return excerpt(j[k] as string);
  } catch {
    /* not JSON */
  }
  return excerpt(body) || '(no reason given)';
}

/** the AP refusing the request on its merits (a 4xx answer, or the partner suspended since the countersign) */
interface Refusal {
  readonly message: string;
  readonly apRejectionReason: string;
  readonly apPartnerOptions: unknown;
}
/** what sending the request came to: accepted (the variables of the 2xx), refused, or a failure to retry */
type ApAnswer = { readonly accepted: Variables } | { readonly refused: Refusal } | { readonly failed: Outcome };

const implementationRequestVariables = S.obj({ expenseContractId: S.str }, { expenseContractNo: S.optStr });
type ImplementationRequestJob = JobView<{ expenseContractId: string; expenseContractNo?: string | null }>;

/**
 * The request itself, shared by the job type of the message throw event (request-implementation) and the
 * retired one of the service task (send-implementation-request): they differ only in how a refusal reaches
 * the model (variables for the gateway after the event, or the BPMN error the old boundary catches).
 */
async function sendToAp(job: ImplementationRequestJob, services: Services): Promise<ApAnswer> {
  const { dataSource, clock, http, settings, log } = services;
  const key = `job:${job.key}`;
  const done = await storedResult(dataSource, job.type, key);
  if (done) return { accepted: done };
  let req: ImplementationRequest;
  try {
    req = await implementationRequestOf(dataSource, job.variables.expenseContractId, settings.apSlaDuration);
  } catch (e) {
    // a partner suspended since the countersign: the model handles it as the AP refusing the request
    if (!(e instanceof ApPartnerUnavailableError)) throw e;
    return {
      refused: {
        message: e.message,
        apRejectionReason: String(e.details.why),
        apPartnerOptions: await availablePartnerOptions(dataSource, String(e.details.apPartnerId ?? '')),
      },
    };
  }
  const { contract, partner, slaDuration } = req;
  const idempotencyKey = `ot-impl-${contract.contractNo}-${job.key}`;
  const body = JSON.stringify({ requestId: idempotencyKey, ...req.payload });
  const now = clock.now();
  let res: Awaited<ReturnType<typeof http>>;
  try {
    res = await http({
      method: 'POST',
      url: partner.endpointUrl,
      headers: signedHeaders(partner.hmacSecret, body, idempotencyKey, now),
      body,
      timeoutMs: settings.apRequestTimeoutMs,
    });
  } catch (e) {
    log.warn({ jobKey: job.key, url: partner.endpointUrl, err: (e as Error).message }, 'AP endpoint unreachable');
    return {
      failed: fail(`AP ${partner.code} endpoint ${partner.endpointUrl} unreachable: ${(e as Error).message}`, undefined, {
        hint: `the AP ${partner.name} does not answer at ${partner.endpointUrl}: contact the AP or correct its registered endpoint, then retry the incident`,
      }),
    };
  }
  const answer = { endpoint: partner.endpointUrl, status: res.status, idempotencyKey, response: excerpt(res.body) };
  if (res.status >= 200 && res.status < 300) {
    const result = await once(dataSource, job.type, checked(key), now, async (em) => {
      const ctx = writeContext(job, now, SYSTEM_ACTOR);
      await markImplementationRequested(em, contract.id, slaDuration, { ...ctx, details: { ...ctx.details, ...answer } });
      // the partner's users also get the request by e-mail and in their inbox (issue #18)
      await enqueueNotification(
        em,
        {
          dedupeKey: `ap-implementation-request:${contract.id}`,
          recipientRole: 'ap-partner',
          template: 'ap-implementation-request',
          refs: { expenseContractId: contract.id, expenseContractNo: contract.contractNo, apPartnerId: partner.id, slaDuration },
        },
        now,
      );
      return { apSlaDuration: slaDuration };
    });
    return { accepted: result };
  }
  if (res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500) {
    return {
      failed: fail(`AP ${partner.code} answered ${res.status}: ${excerpt(res.body, 200)}`, undefined, {
        hint: `the AP ${partner.name} keeps failing (${res.status}): contact the AP, then retry the incident`,
      }),
    };
  }
  // 4xx: the AP refuses the request on its merits
  const reason = `AP ${partner.code} refused the implementation request (${res.status}): ${reasonOf(res.body)}`;
  const vars = await once(dataSource, job.type, `${key}:refused`, now, async (em) => {
    const ctx = writeContext(job, now, SYSTEM_ACTOR);
    await recordImplementationRefused(em, contract.id, reason, { ...ctx, details: { ...ctx.details, ...answer } });
    return { apRejectionReason: reason };
  });
  return {
    refused: {
      message: reason,
      apRejectionReason: String(vars.apRejectionReason),
      // the partners 处理AP异常 can switch to, read now (not stored with the refusal: the list changes)
      apPartnerOptions: await availablePartnerOptions(dataSource, partner.id),
    },
  };
}

/**
 * The job of the message throw event 向AP发出实施请求: a throw event has no boundary events, so a refusal
 * completes the job too and the gateway AP接受请求? after it decides on apRequestAccepted. Every variable
 * is set either way (null where it does not apply), so the event's output mappings never read a missing one.
 */
export const requestImplementation = defineHandler({
  type: JOB.expenseContractRequestImplementation,
  variables: implementationRequestVariables,
  async handle(job, services) {
    const r = await sendToAp(job, services);
    if ('failed' in r) return r.failed;
    if ('accepted' in r) return complete({ apRequestAccepted: true, ...r.accepted, apRejectionReason: null, apPartnerOptions: null });
    const { apRejectionReason, apPartnerOptions } = r.refused;
    return complete({ apRequestAccepted: false, apSlaDuration: null, apRejectionReason, apPartnerOptions });
  },
});

/**
 * Retired (domain/vocabulary.ts RETIRED_JOB): the service task of process versions before the throw event,
 * whose error boundary AP拒绝请求 catches AP_REQUEST_REJECTED; instances running on them keep that model.
 */
export const sendImplementationRequest = defineHandler({
  // a retired type is no JobType of this release: the registry takes it apart from REGISTRY, as the renamed ones
  type: RETIRED_JOB.expenseContractSendImplementationRequest as string as JobType,
  variables: implementationRequestVariables,
  async handle(job, services) {
    const r = await sendToAp(job, services);
    if ('failed' in r) return r.failed;
    if ('accepted' in r) return complete(r.accepted);
    const { message, apRejectionReason, apPartnerOptions } = r.refused;
    return bpmnError(BPMN_ERROR.apRequestRejected, message, { apRejectionReason, apPartnerOptions });
  },
});

export const remindSla = defineHandler({
  type: JOB.expenseContractRemindSla,
  variables: S.obj({ expenseContractId: S.str }, { expenseContractNo: S.optStr, apSlaDuration: S.optStr }),
  handle(job, services) {
    return systemOnce(job, services, `job:${job.key}`, async (em, ctx) => {
      await remindApSla(em, job.variables.expenseContractId, job.key, ctx);
      return {};
    });
  },
});

/**
 * 登记支付依据 of process versions before issue #20 (retired: domain/vocabulary.ts RETIRED_JOB). The models
 * no longer have the task, the API records the receipt when the AP submits; this stays registered for the
 * instances still running on the old versions (an instance keeps its version), which would otherwise wait
 * on its job forever. It returns what those versions' later elements may read.
 */
export const recordPaymentBasis = defineHandler({
  // a retired type is no JobType of this release: the registry takes it apart from REGISTRY, as the renamed ones
  type: RETIRED_JOB.expenseContractRecordPaymentBasis as string as JobType,
  variables: S.obj({ paymentBasisId: S.str }, { paymentBasisNo: S.optStr, expenseContractId: S.optStr, expenseContractNo: S.optStr }),
  async handle(job, services) {
    const v = job.variables;
    const basis = await requirePaymentBasis(services.dataSource, v.paymentBasisId);
    return systemOnce(job, services, `basis:${basis.id}:v${basis.currentVersion}`, async (em, ctx) => {
      const { version } = await recordPaymentBasisReceived(em, basis.id, v.expenseContractId ?? null, ctx);
      return { paymentBasisVersion: version };
    });
  },
});

export const recordPaymentBasisCheck = defineHandler({
  type: JOB.expenseContractRecordPaymentBasisCheck,
  variables: S.obj(
    { paymentBasisId: S.str, paymentBasisDecision: S.enumOf(ACCEPTANCE_DECISION) },
    { paymentBasisOpinion: S.optStr, completedBy: S.optStr },
  ),
  async handle(job, services) {
    const v = job.variables;
    const basis = await requirePaymentBasis(services.dataSource, v.paymentBasisId);
    return recordOnce(job, services, `basis:${basis.id}:v${basis.currentVersion}`, async (em, ctx) => {
      const { paymentBasis } = await checkPaymentBasis(em, basis.id, v.paymentBasisDecision, v.paymentBasisOpinion ?? null, ctx);
      return { paymentBasisStatus: paymentBasis.status };
    });
  },
});

export const EXPENSE_CONTRACT_HANDLERS = [draft, draftSupplement, revise, requestImplementation, remindSla, recordPaymentBasisCheck];

/**
 * the handlers of the retired expense-contract job types (domain/vocabulary.ts RETIRED_JOB), taken only for
 * instances of older process versions; 登记支付依据's also under its name before issue #16
 */
export const RETIRED_EXPENSE_CONTRACT_HANDLERS = [
  sendImplementationRequest,
  recordPaymentBasis,
  { ...recordPaymentBasis, type: RETIRED_JOB.apContractRecordPaymentBasis as string as JobType },
];
