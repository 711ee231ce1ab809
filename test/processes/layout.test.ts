/** processes/layout.ts: pools and lanes without a change to what the engine executes. */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createModdle, type El, type ParsedModel, flowNodes, loadModels, parseBpmn } from '../../processes/model';
import { calledRolesOf, layout } from '../../processes/layout';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const inside = (a: Box, b: Box) => a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;

/** a moddle tree as plain data, references as ids, without DI, lanes and the drawing-only groups */
function semantic(el: El, seen = new Set<El>()): unknown {
  if (el === null || typeof el !== 'object') return el;
  if (Array.isArray(el)) return el.map((e) => semantic(e, seen));
  if (seen.has(el)) return `#${el.id}`;
  seen.add(el);
  const out: Record<string, unknown> = { $type: el.$type };
  for (const [k, v] of Object.entries(el)) {
    if (k.startsWith('$') || ['diagrams', 'laneSets', 'artifacts'].includes(k)) continue;
    if (k === 'rootElements') {
      out[k] = (v as El[]).filter((r) => r.$type !== 'bpmn:Collaboration' && r.$type !== 'bpmn:Category').map((r) => semantic(r, seen));
      continue;
    }
    const ref = (x: El) =>
      x &&
      typeof x === 'object' &&
      x.$type &&
      x.id &&
      ['sourceRef', 'targetRef', 'attachedToRef', 'default', 'incoming', 'outgoing', 'messageRef', 'errorRef'].includes(k)
        ? `#${x.id}`
        : semantic(x, seen);
    out[k] = Array.isArray(v) ? v.map(ref) : ref(v);
  }
  return out;
}

/** the model as it was before lanes: no collaboration, no laneSet, the diagram drawn on the process */
async function withoutLanes(xml: string): Promise<string> {
  const moddle = createModdle();
  const { rootElement: defs } = await moddle.fromXML(xml, 'bpmn:Definitions');
  const collab = defs.rootElements.find((r: El) => r.$type === 'bpmn:Collaboration');
  const proc = defs.rootElements.find((r: El) => r.$type === 'bpmn:Process');
  const drop = new Set<El>([collab, ...(collab?.participants ?? []), ...(proc.laneSets ?? []).flatMap((ls: El) => ls.lanes ?? [])]);
  defs.rootElements = defs.rootElements.filter((r: El) => r !== collab);
  proc.laneSets = undefined;
  const plane = defs.diagrams[0].plane;
  plane.bpmnElement = proc;
  plane.planeElement = plane.planeElement.filter((d: El) => !drop.has(d.bpmnElement));
  return (await moddle.toXML(defs, { format: true })).xml;
}

describe('processes: layout (pools and lanes)', () => {
  let models: ParsedModel[];
  before(async () => {
    models = await loadModels();
  });

  it("the committed models are the tool's output (idempotent: laying them out again changes nothing)", async function () {
    this.timeout(30000);
    const roles = await calledRolesOf();
    for (const m of models) expect((await layout(m.xml, roles)) === m.xml, `${m.file}: run npm run layout:bpmn`).to.equal(true);
  });

  it('the executable content before and after the layout is the same (the models as they are, and without their lanes)', async function () {
    this.timeout(30000);
    const roles = await calledRolesOf();
    for (const m of models) {
      const before = await parseBpmn(m.xml);
      const after = await parseBpmn(await layout(m.xml, roles));
      expect(semantic(after.definitions), m.file).to.deep.equal(semantic(before.definitions));
    }
    // and from each model with its pool and lanes taken out again, as Modeler would hand over a model
    // without lanes: laid out, it executes the same, and every node is placed in a lane
    for (const m of models) {
      const bare = await withoutLanes(m.xml);
      expect(bare).to.not.include('laneSet');
      const laid = await layout(bare, roles);
      expect(laid, m.file).to.include('bpmn:laneSet');
      expect(semantic((await parseBpmn(laid)).definitions), m.file).to.deep.equal(semantic((await parseBpmn(bare)).definitions));
    }
  });

  it('one pool per model, every top-level flow node in exactly one lane, every shape inside its lane', () => {
    for (const m of models) {
      const collab = m.definitions.rootElements.find((r: El) => r.$type === 'bpmn:Collaboration');
      expect(
        collab?.participants?.map((p: El) => p.processRef),
        m.file,
      ).to.deep.equal([m.process]);
      expect(m.definitions.diagrams[0].plane.bpmnElement, m.file).to.equal(collab);
      const lanes: El[] = m.process.laneSets?.[0]?.lanes ?? [];
      expect(lanes.length, m.file).to.be.greaterThan(1);
      const di = new Map<El, El>(m.definitions.diagrams[0].plane.planeElement.map((d: El) => [d.bpmnElement, d]));
      for (const n of m.process.flowElements.filter((e: El) => e.$type !== 'bpmn:SequenceFlow')) {
        const holders = lanes.filter((l) => (l.flowNodeRef ?? []).includes(n));
        expect(holders.length, `${m.process.id}#${n.id}`).to.equal(1);
        const box = di.get(n).bounds;
        if (n.$type !== 'bpmn:BoundaryEvent')
          expect(inside(box, di.get(holders[0]).bounds), `${m.process.id}#${n.id} inside ${holders[0].name}`).to.equal(true);
        for (const c of n.flowElements ?? [])
          if (di.get(c)?.bounds) expect(inside(di.get(c).bounds, di.get(holders[0]).bounds), `${c.id}`).to.equal(true);
      }
      for (const l of lanes) expect(inside(di.get(l).bounds, di.get(collab.participants[0]).bounds), l.id).to.equal(true);
    }
  });

  it("user tasks sit in their role's lane; the decision gateway (or a recording task) after a user task beside it", () => {
    const byId = (m: ParsedModel, id: string) => flowNodes(m.process).find((n: El) => n.id === id);
    const laneOf = (m: ParsedModel, id: string) =>
      m.process.laneSets[0].lanes.find((l: El) => (l.flowNodeRef ?? []).includes(byId(m, id)))?.name;
    const cs = models.find((m) => m.process.id === 'contract-countersign')!;
    expect(laneOf(cs, 'dept-manager-review')).to.equal('部门经理');
    expect(laneOf(cs, 'dept-manager-decision')).to.equal('部门经理');
    expect(laneOf(cs, 'center-review')).to.equal('中心审核');
    const prov = models.find((m) => m.process.id === 'online-training-provisioning')!;
    expect(laneOf(prov, 'configure-platform')).to.equal('技术部');
    expect(laneOf(prov, 'sign-revenue-contract')).to.equal('合同管理员');
    expect(laneOf(prov, 'ap-implementation')).to.equal('AP 供应商');
    const sr = models.find((m) => m.process.id === 'customer-service-request')!;
    expect(laneOf(sr, 'handle-fault')).to.equal('运行维护处');
  });

  it('every gateway is named', () => {
    for (const m of models)
      for (const g of flowNodes(m.process).filter((n: El) => /Gateway$/.test(n.$type)))
        expect(g.name, `${m.process.id}#${g.id}`).to.match(/\p{Script=Han}/u);
  });

  it('the file on disk is what the parser reads (no stray edits)', () => {
    for (const m of models) expect(readFileSync(m.file, 'utf8')).to.equal(m.xml);
  });
});
