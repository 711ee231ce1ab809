import { expect } from 'chai';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type El, type ParsedModel, flowNodes, loadModels, sequenceFlows } from '../../processes/model';
import { lintFiles } from '../../processes/lint';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('processes: diagram interchange and lint', () => {
  let models: ParsedModel[];
  before(async () => {
    models = await loadModels();
  });

  it('every flow node has a shape and every sequence flow an edge, all on the process plane', () => {
    for (const m of models) {
      const diagrams = m.definitions.diagrams ?? [];
      expect(diagrams, m.file).to.have.length(1);
      const plane = diagrams[0].plane;
      // the plane shows the collaboration whose one pool is the process (processes/layout.ts)
      expect(
        plane.bpmnElement.participants.map((x: El) => x.processRef),
        m.file,
      ).to.deep.equal([m.process]);
      const di = new Map<El, El>((plane.planeElement ?? []).map((d: El) => [d.bpmnElement, d]));
      for (const n of flowNodes(m.process)) {
        const s = di.get(n);
        expect(s?.$type, `${m.process.id}#${n.id}`).to.equal('bpmndi:BPMNShape');
        expect(s.bounds.width, `${m.process.id}#${n.id}`).to.be.greaterThan(0);
        if (n.$type === 'bpmn:SubProcess') expect(s.isExpanded, n.id).to.equal(true);
        if (n.name && /Event|Gateway/.test(n.$type))
          expect(s.label?.bounds, `${m.process.id}#${n.id}: label placed`).to.not.equal(undefined);
      }
      for (const f of sequenceFlows(m.process)) {
        const e = di.get(f);
        expect(e?.$type, `${m.process.id}#${f.id}`).to.equal('bpmndi:BPMNEdge');
        expect(e.waypoint.length, f.id).to.be.at.least(2);
        if (f.name) expect(e.label?.bounds, `${m.process.id}#${f.id}: label placed`).to.not.equal(undefined);
      }
    }
  });

  it('shapes do not overlap (boundary events sit on their host, sub-process contents inside their sub-process, groups around what they group)', () => {
    for (const m of models) {
      const plane = m.definitions.diagrams[0].plane;
      // groups (role groupings) deliberately surround other shapes
      // pools and lanes surround the shapes (layout.test.ts checks each node lies in its lane)
      const shapes = (plane.planeElement as El[]).filter(
        (d) => d.$type === 'bpmndi:BPMNShape' && !['bpmn:Group', 'bpmn:Participant', 'bpmn:Lane'].includes(d.bpmnElement.$type),
      );
      const inside = (a: Box, b: Box) => a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;
      for (let i = 0; i < shapes.length; i++) {
        for (let j = i + 1; j < shapes.length; j++) {
          const [a, b] = [shapes[i], shapes[j]];
          const [ea, eb] = [a.bpmnElement, b.bpmnElement];
          if (ea.attachedToRef === eb || eb.attachedToRef === ea) continue;
          if (ea.$type === 'bpmn:SubProcess' && eb.$parent === ea) {
            expect(inside(b.bounds, a.bounds), `${eb.id} inside ${ea.id}`).to.equal(true);
            continue;
          }
          if (eb.$type === 'bpmn:SubProcess' && ea.$parent === eb) {
            expect(inside(a.bounds, b.bounds), `${ea.id} inside ${eb.id}`).to.equal(true);
            continue;
          }
          if (ea.attachedToRef?.$type === 'bpmn:SubProcess' && eb.$parent === ea.attachedToRef) continue;
          expect(overlap(a.bounds, b.bounds), `${m.process.id}: ${ea.id} overlaps ${eb.id}`).to.equal(false);
        }
      }
    }
  });

  it('a rendered SVG exists for every process (npm run render:diagrams)', () => {
    for (const m of models)
      expect(existsSync(path.join(__dirname, '..', '..', 'docs', 'diagrams', `${m.process.id}.svg`)), m.process.id).to.equal(true);
  });

  it('bpmnlint (recommended + camunda-compat 8.9, Zeebe moddle registered) reports nothing', async function () {
    this.timeout(60000);
    const findings = await lintFiles();
    expect(findings.map((f) => `${path.basename(f.file)} ${f.category} ${f.id} ${f.message} (${f.rule})`)).to.deep.equal([]);
  });
});
