import { expect } from 'chai';
import {
  ACCEPTANCE_DECISION,
  AP_ISSUE_RESOLUTION,
  COUNTERSIGN_RESULT,
  CUSTOMER_DECISION,
  REPORT_REVIEW_DECISION,
  REVIEW_DECISION,
  SERVICE_REQUEST_TYPE,
} from '../../domain/vocabulary';
import { type El, type ParsedModel, flowNodes, loadModels } from '../../processes/model';

/** Variables a gateway branches on and the values it must cover (domain/vocabulary). */
const COVER: Record<string, readonly string[]> = {
  customerDecision: CUSTOMER_DECISION,
  reviewDecision: REVIEW_DECISION,
  acceptanceDecision: ACCEPTANCE_DECISION,
  paymentBasisDecision: ACCEPTANCE_DECISION,
  reportDecision: REPORT_REVIEW_DECISION,
  revenueCountersignResult: COUNTERSIGN_RESULT,
  expenseCountersignResult: COUNTERSIGN_RESULT,
  requestType: SERVICE_REQUEST_TYPE,
  apIssueResolution: AP_ISSUE_RESOLUTION,
};

describe('processes: gateways', () => {
  let models: ParsedModel[];
  before(async () => {
    models = await loadModels();
  });
  const gateways = (type: string) =>
    models.flatMap((m) =>
      flowNodes(m.process)
        .filter((e: El) => e.$type === type)
        .map((g: El) => ({ pid: m.process.id as string, g })),
    );

  it('an exclusive gateway that forks has all outgoing flows conditioned, or exactly one default flow and the rest conditioned', () => {
    const forks = gateways('bpmn:ExclusiveGateway').filter(({ g }) => g.outgoing.length > 1);
    expect(forks.length).to.be.greaterThan(15);
    for (const { pid, g } of forks) {
      const where = `${pid}#${g.id}`;
      const unconditioned = g.outgoing.filter((f: El) => !f.conditionExpression);
      if (g.default) {
        expect(unconditioned, where).to.deep.equal([g.default]);
        expect(g.outgoing, where).to.include(g.default);
      } else {
        expect(unconditioned, where).to.deep.equal([]);
      }
      for (const f of g.outgoing)
        if (f.conditionExpression) expect(f.name, `${where} ${f.id}: conditioned flows are labelled`).to.match(/\p{Script=Han}/u);
    }
  });

  it('a gateway never both joins and forks; parallel gateways carry no conditions', () => {
    for (const type of ['bpmn:ExclusiveGateway', 'bpmn:ParallelGateway']) {
      for (const { pid, g } of gateways(type)) {
        expect(g.incoming.length > 1 && g.outgoing.length > 1, `${pid}#${g.id}`).to.equal(false);
        if (type === 'bpmn:ParallelGateway')
          for (const f of g.outgoing) expect(f.conditionExpression, `${pid}#${g.id}`).to.equal(undefined);
      }
    }
  });

  it('a decision gateway without default has one flow per value of the vocabulary, comparing against that exact value', () => {
    let checked = 0;
    for (const { pid, g } of gateways('bpmn:ExclusiveGateway').filter(({ g }) => g.outgoing.length > 1 && !g.default)) {
      const conds: string[] = g.outgoing.map((f: El) => f.conditionExpression.body);
      const parsed = conds.map((c) => /^=\s*([A-Za-z]+)\s*=\s*"([A-Z_]+)"\s*$/.exec(c));
      for (const [i, p] of parsed.entries()) expect(p, `${pid}#${g.id}: ${conds[i]}`).to.not.equal(null);
      const variable = parsed[0]![1];
      expect(COVER[variable], `${pid}#${g.id} branches on ${variable}`).to.not.equal(undefined);
      expect(new Set(parsed.map((p) => p![1])), `${pid}#${g.id}`).to.deep.equal(new Set([variable]));
      expect(parsed.map((p) => p![2]).sort(), `${pid}#${g.id}`).to.deep.equal([...COVER[variable]].sort());
      checked++;
    }
    expect(checked).to.be.greaterThan(10);
  });
});
