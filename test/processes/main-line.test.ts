import { expect } from 'chai';
import { type ParsedModel, loadModels, parseBpmn } from '../../processes/model';
import { MAIN_LINE_END, mainLine, mainLinesOf } from '../../processes/main-line';

/** issue #20: each business flow had 25 activities on its main line when it was filed; it asked for half */
const MAIN_LINE_WHEN_FILED = 25;

// start → 确认 (user) → 登记 (service) → 结果? ─→ 签订 (user) → 接受? ─→ done
//   ↑ (merge)                              └→ 修改 (user) ─┘ (a loop)       └→ 处理 (user) → done
// 签订's boundary → 处理: 接受?'s branch into 处理 is an exception path as the boundary's is; 催办 on its own end
const SMALL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="confirm" />
    <bpmn:serviceTask id="record" />
    <bpmn:exclusiveGateway id="merge" />
    <bpmn:exclusiveGateway id="result" />
    <bpmn:userTask id="revise" />
    <bpmn:userTask id="sign" />
    <bpmn:boundaryEvent id="late" attachedToRef="sign" cancelActivity="false" />
    <bpmn:boundaryEvent id="refused" attachedToRef="sign" />
    <bpmn:exclusiveGateway id="accepted" />
    <bpmn:userTask id="handle" />
    <bpmn:serviceTask id="remind" />
    <bpmn:endEvent id="done" />
    <bpmn:endEvent id="reminded" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="merge" />
    <bpmn:sequenceFlow id="f2" sourceRef="merge" targetRef="confirm" />
    <bpmn:sequenceFlow id="f3" sourceRef="confirm" targetRef="record" />
    <bpmn:sequenceFlow id="f4" sourceRef="record" targetRef="result" />
    <bpmn:sequenceFlow id="f5" sourceRef="result" targetRef="sign" />
    <bpmn:sequenceFlow id="f6" sourceRef="result" targetRef="revise" />
    <bpmn:sequenceFlow id="f7" sourceRef="revise" targetRef="merge" />
    <bpmn:sequenceFlow id="f8" sourceRef="sign" targetRef="accepted" />
    <bpmn:sequenceFlow id="f11" sourceRef="accepted" targetRef="done" />
    <bpmn:sequenceFlow id="f12" sourceRef="accepted" targetRef="handle" />
    <bpmn:sequenceFlow id="f13" sourceRef="refused" targetRef="handle" />
    <bpmn:sequenceFlow id="f14" sourceRef="handle" targetRef="done" />
    <bpmn:sequenceFlow id="f9" sourceRef="late" targetRef="remind" />
    <bpmn:sequenceFlow id="f10" sourceRef="remind" targetRef="reminded" />
  </bpmn:process>
</bpmn:definitions>`;

describe('processes: the main line of each business flow', () => {
  let models: ParsedModel[];
  before(async () => {
    models = await loadModels();
  });

  it('counts the activities from the start to the ordinary end, not the loops nor the exception paths (from a boundary, or a gateway’s branch into where one leads)', async () => {
    const { process } = await parseBpmn(SMALL);
    const line = mainLine(process, 'done');
    expect(line.activities.map((a) => a.id)).to.deep.equal(['confirm', 'record', 'sign']);
    expect(line.bookkeeping.map((b) => [b.after.id, b.box.id])).to.deep.equal([['confirm', 'record']]);
    expect(() => mainLine(process, 'missing')).to.throw(/no element missing/);
  });

  it('covers every business flow', () => {
    expect(
      mainLinesOf(models)
        .map((l) => l.processId)
        .sort(),
    ).to.deep.equal(Object.keys(MAIN_LINE_END).sort());
  });

  it('has no service task recording a user task right after it (the recording is the task’s listener)', () => {
    for (const { processId, line } of mainLinesOf(models))
      expect(
        line.bookkeeping.map((b) => `${b.after.id} → ${b.box.id}`),
        processId,
      ).to.deep.equal([]);
  });

  it('has at most half the boxes it had when issue #20 was filed', () => {
    for (const { processId, line } of mainLinesOf(models))
      expect(line.activities.length, `${processId}: ${line.activities.map((a) => a.id).join(', ')}`).to.be.at.most(
        Math.floor(MAIN_LINE_WHEN_FILED / 2),
      );
  });
});
