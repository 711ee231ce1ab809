import { expect } from 'chai';
import { PROCESS } from '../../domain/vocabulary';
import { MAIN_LINE_END, mainLine } from '../../processes/main-line';
import { loadModels, parseBpmn } from '../../processes/model';

// a loop back (rev), a side end (cancel → declined), a boundary path (bnd → esc) and a sub-process with tasks inside
const FIXTURE = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="merge"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f7</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="a" name="A"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:serviceTask id="rec" name="Rec"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:exclusiveGateway id="dec"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing><bpmn:outgoing>f6</bpmn:outgoing><bpmn:outgoing>f8</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="rev" name="Rev"><bpmn:incoming>f6</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing></bpmn:userTask>
    <bpmn:serviceTask id="cancel" name="Cancel"><bpmn:incoming>f8</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="declined"><bpmn:incoming>f9</bpmn:incoming></bpmn:endEvent>
    <bpmn:userTask id="b" name="B"><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f10</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="bnd" attachedToRef="b"><bpmn:outgoing>f12</bpmn:outgoing></bpmn:boundaryEvent>
    <bpmn:serviceTask id="esc" name="Esc"><bpmn:incoming>f12</bpmn:incoming><bpmn:outgoing>f13</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:subProcess id="sub" name="Sub">
      <bpmn:incoming>f10</bpmn:incoming><bpmn:outgoing>f11</bpmn:outgoing>
      <bpmn:startEvent id="s2"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:serviceTask id="inner" name="Inner"><bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing></bpmn:serviceTask>
      <bpmn:endEvent id="e2"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="inner" />
      <bpmn:sequenceFlow id="g2" sourceRef="inner" targetRef="e2" />
    </bpmn:subProcess>
    <bpmn:endEvent id="end"><bpmn:incoming>f11</bpmn:incoming><bpmn:incoming>f13</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="merge" />
    <bpmn:sequenceFlow id="f2" sourceRef="merge" targetRef="a" />
    <bpmn:sequenceFlow id="f3" sourceRef="a" targetRef="rec" />
    <bpmn:sequenceFlow id="f4" sourceRef="rec" targetRef="dec" />
    <bpmn:sequenceFlow id="f5" sourceRef="dec" targetRef="b" />
    <bpmn:sequenceFlow id="f6" sourceRef="dec" targetRef="rev" />
    <bpmn:sequenceFlow id="f7" sourceRef="rev" targetRef="merge" />
    <bpmn:sequenceFlow id="f8" sourceRef="dec" targetRef="cancel" />
    <bpmn:sequenceFlow id="f9" sourceRef="cancel" targetRef="declined" />
    <bpmn:sequenceFlow id="f10" sourceRef="b" targetRef="sub" />
    <bpmn:sequenceFlow id="f11" sourceRef="sub" targetRef="end" />
    <bpmn:sequenceFlow id="f12" sourceRef="bnd" targetRef="esc" />
    <bpmn:sequenceFlow id="f13" sourceRef="esc" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;

describe('processes: the main line (processes/main-line.ts)', () => {
  it('counts the activities on loop-free paths from the start to the end: not a loop back, a side end, a boundary path or the inside of a sub-process', async () => {
    const m = await parseBpmn(FIXTURE);
    expect(mainLine(m.process, 'end').map((a) => a.id)).to.deep.equal(['a', 'rec', 'b', 'sub']);
    expect(mainLine(m.process, 'declined').map((a) => a.id)).to.deep.equal(['a', 'rec', 'cancel']);
    expect(() => mainLine(m.process, 'nowhere')).to.throw('no flow node nowhere');
  });

  it('issue #20: the order flows keep at most 15 activities on their main line, without the bookkeeping boxes that became listeners', async () => {
    const models = await loadModels();
    for (const [pid, end] of Object.entries(MAIN_LINE_END)) {
      const m = models.find((x) => x.process.id === pid)!;
      const ids = mainLine(m.process, end).map((a) => a.id);
      expect(ids.length, `${pid}: ${ids.join(', ')}`).to.be.at.most(15);
      for (const gone of [
        'register-revenue-contract',
        'register-supplementary-agreement',
        'register-accounts',
        'apply-account-delta',
        'compute-completion-deadline',
      ])
        expect(ids, pid).to.not.include(gone);
      expect(ids, pid).to.include.members(['deliver-to-customer', 'file-completion-record']);
    }
    expect(Object.keys(MAIN_LINE_END).sort()).to.deep.equal([PROCESS.change, PROCESS.provisioning].sort());
  });
});
