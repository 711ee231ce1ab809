import { expect } from 'chai';
import { CronExpressionParser } from 'cron-parser';
import { PROCESS } from '../../domain/vocabulary';
import {
  type El,
  type ParsedModel,
  eventDefinition,
  extension,
  feelSyntaxError,
  feelVariables,
  flowNodes,
  inputs,
  isExpression,
  loadModels,
  outputs,
  parseBpmn,
  sequenceFlows,
} from '../../processes/model';
import { allProduced, analyseVariables } from '../../processes/variables';

/** Every FEEL expression of a model, with where it is. */
function expressions(m: ParsedModel): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const add = (where: string, v: string | undefined) => {
    if (isExpression(v)) out.push({ where: `${m.process.id}#${where}`, expr: v });
  };
  for (const f of sequenceFlows(m.process)) {
    if (f.conditionExpression) {
      expect(isExpression(f.conditionExpression.body), `${f.id}: a condition is a FEEL expression`).to.equal(true);
      add(`${f.id} condition`, f.conditionExpression.body);
    }
  }
  for (const n of flowNodes(m.process)) {
    for (const i of inputs(n)) add(`${n.id} input ${i.target}`, i.source);
    for (const o of outputs(n)) {
      expect(isExpression(o.source), `${n.id} output ${o.target}`).to.equal(true);
      add(`${n.id} output ${o.target}`, o.source);
    }
    const ad = extension(n, 'zeebe:AssignmentDefinition');
    add(`${n.id} assignee`, ad?.assignee);
    const ts = extension(n, 'zeebe:TaskSchedule');
    add(`${n.id} dueDate`, ts?.dueDate);
    const def = eventDefinition(n);
    if (def?.$type === 'bpmn:TimerEventDefinition')
      for (const k of ['timeDate', 'timeDuration', 'timeCycle']) add(`${n.id} ${k}`, def[k]?.body);
    // a message throw event may reference no message (its job sends it): no correlation key to parse
    if (def?.$type === 'bpmn:MessageEventDefinition' && def.messageRef)
      add(`${n.id} correlationKey`, extension(def.messageRef, 'zeebe:Subscription')?.correlationKey);
  }
  return out;
}

describe('processes: FEEL expressions and the variables they read', () => {
  let models: ParsedModel[];
  before(async () => {
    models = await loadModels();
  });

  it('every FEEL expression parses with feelin (conditions, mappings, timers, correlation keys, assignees, due dates)', () => {
    const all = models.flatMap(expressions);
    expect(all.length).to.be.greaterThan(200);
    const kinds = new Set(all.map((e) => e.where.split(' ').slice(1).join(' ').replace(/ .*/, '')));
    expect([...kinds]).to.include.members([
      'condition',
      'input',
      'output',
      'assignee',
      'dueDate',
      'timeDate',
      'timeDuration',
      'correlationKey',
    ]);
    for (const { where, expr } of all) expect(feelSyntaxError(expr), where).to.equal(undefined);
  });

  it('the syntax check rejects broken FEEL', () => {
    expect(feelSyntaxError('=customerDecision = ')).to.be.a('string');
    expect(feelSyntaxError('=a +* (')).to.be.a('string');
    expect(feelSyntaxError('=')).to.be.a('string');
    expect(feelSyntaxError('=reviewDecision = "APPROVE"')).to.equal(undefined);
  });

  it('static timer values are valid: the 6-field cron of the monthly report fires at 01:00 on the 1st', () => {
    const start = flowNodes(models.find((m) => m.process.id === PROCESS.monthlyReport)!.process).find(
      (n: El) => n.id === 'monthly-report-start',
    );
    const cycle: string = eventDefinition(start).timeCycle.body;
    expect(cycle.split(/\s+/)).to.have.length(6);
    const next = CronExpressionParser.parse(cycle, { currentDate: new Date('2026-11-25T12:00:00Z'), tz: 'Asia/Shanghai' })
      .next()
      .toDate();
    expect(next.toISOString()).to.equal('2026-11-30T17:00:00.000Z'); // 2026-12-01T01:00:00+08:00
  });

  it('free variables of an expression: names, not functions, path members or literals', () => {
    expect(feelVariables('=a.b = "X" and date and time(c) > d and count([e]) > 0 and null = f')).to.have.members(['a', 'c', 'd', 'e', 'f']);
  });

  it('every variable a condition, mapping, timer, correlation key, assignee, due date or form display reads is set upstream on every path', () => {
    const child = models.find((m) => m.process.id === PROCESS.countersign)!;
    const childProduces = { [PROCESS.countersign]: allProduced(child) };
    const problems = models.flatMap((m) => analyseVariables(m, childProduces));
    expect(problems).to.deep.equal([]);
  });

  it('the call activities hand the countersign process exactly the variables it starts with', () => {
    for (const m of models) {
      for (const n of flowNodes(m.process).filter((e: El) => e.$type === 'bpmn:CallActivity')) {
        expect(
          inputs(n)
            .map((i) => i.target)
            .sort(),
          `${m.process.id}#${n.id}`,
        ).to.deep.equal(['contractId', 'contractNo', 'contractType', 'orderNo', 'orderSummary']);
      }
    }
  });

  it('the analysis finds a variable that is set on one path only, and one that is never set', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="${PROCESS.serviceRequest}" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:exclusiveGateway id="g" default="f3" />
    <bpmn:serviceTask id="a"><bpmn:extensionElements><zeebe:taskDefinition type="x" /><zeebe:ioMapping><zeebe:output source="=r" target="onlyOnOnePath" /></zeebe:ioMapping></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:exclusiveGateway id="j" />
    <bpmn:serviceTask id="b"><bpmn:extensionElements><zeebe:taskDefinition type="y" /><zeebe:ioMapping><zeebe:input source="=onlyOnOnePath" target="v" /><zeebe:input source="=requestNo" target="w" /></zeebe:ioMapping></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:exclusiveGateway id="g2" />
    <bpmn:endEvent id="e" />
    <bpmn:endEvent id="e2" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g" />
    <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="a"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=requestType = "FAULT"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="j" />
    <bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="j" />
    <bpmn:sequenceFlow id="f5" sourceRef="j" targetRef="b" />
    <bpmn:sequenceFlow id="f6" sourceRef="b" targetRef="g2" />
    <bpmn:sequenceFlow id="f7" sourceRef="g2" targetRef="e"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=neverSet = 1</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f8" sourceRef="g2" targetRef="e2"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=w != null</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>`;
    const problems = analyseVariables(await parseBpmn(xml));
    expect(problems.map((p) => [p.element, p.variable])).to.have.deep.members([
      ['b', 'onlyOnOnePath'],
      ['f7', 'neverSet'],
      ['f8', 'w'],
    ]);
  });
});
