/**
 * npm run layout:bpmn — gives every processes/*.bpmn a pool (participant) and one lane per role, and
 * re-lays out the diagram so each flow node sits in the lane of the role that performs it.
 *
 * Lanes: a user task goes to its candidate group's / assignee's role; a call activity to the role of the
 * first user task of the called process; a service task or event to the lane of the step before it
 * (through service tasks and events, so the recording box stays beside its user task); a decision gateway
 * to its predecessor's lane, a merge gateway to its successor's. Anything else, including a role this
 * file does not know, goes to 系统 — so the integrator can re-run it on models with new elements.
 * Horizontal positions are kept from the existing DI (Modeler's), only the vertical position is derived
 * from the lane; so the tool is idempotent and a Modeler edit survives a re-run. Empty columns (an x-range no
 * lane uses, wider than SPACING, e.g. where a removed box stood) are narrowed to SPACING, as Modeler's space tool
 * would, which keeps it idempotent: a re-run finds none. Sequence flows are routed orthogonally around the
 * shapes (layout/route.ts; the earlier route, layout/classic.ts, stays where it crosses nothing). Groups are dropped:
 * the lanes show the roles they drew. Executable semantics are untouched (test/processes/layout.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { classicRoute } from './layout/classic';
import { ROLES, assignLanes, firstRoles } from './layout/lanes';
import { type Pt, route } from './layout/route';
import { type El, bpmnFiles, createModdle, parseBpmn } from './model';

const POOL_X = 130;
const LANE_X = POOL_X + 30;
const FIRST_X = LANE_X + 60;
const GAP = 30;
/** between neighbours in a column: a node without DI is placed this far right of its predecessor, and an empty
 * column is narrowed to this width */
export const SPACING = 56;

type Box = { x: number; y: number; width: number; height: number };
const isGateway = (n: El) => /Gateway$/.test(n.$type);

/** the x-ranges no shape, shape label or flow label of the diagram covers (lanes and the pool aside), left to right */
export function emptyColumns(planeElements: El[]): { from: number; to: number }[] {
  const spans = planeElements
    .filter((d: El) => !/Participant$|Lane$/.test(d.bpmnElement?.$type ?? ''))
    .flatMap((d: El) => [d.bounds, d.label?.bounds].filter(Boolean))
    .map((b: Box) => [b.x, b.x + b.width])
    .sort((a, b) => a[0] - b[0]);
  const out: { from: number; to: number }[] = [];
  let end = spans[0]?.[0] ?? 0;
  for (const [from, to] of spans) {
    if (from > end) out.push({ from: end, to: from });
    end = Math.max(end, to);
  }
  return out;
}

const textWidth = (s: string) => Math.max(20, Math.round([...s].reduce((w, c) => w + (c.charCodeAt(0) > 255 ? 12 : 7), 0)));

export async function layout(xml: string, calledRoles: Map<string, string>): Promise<string> {
  const moddle = createModdle();
  const { rootElement: defs } = await moddle.fromXML(xml, 'bpmn:Definitions');
  const proc: El = defs.rootElements.find((e: El) => e.$type === 'bpmn:Process');
  const diagram = defs.diagrams[0];
  const oldShapes = new Map<El, El>((diagram.plane.planeElement ?? []).filter((d: El) => d.bounds).map((d: El) => [d.bpmnElement, d]));
  // groups drew the roles before there were lanes
  const groups = (proc.artifacts ?? []).filter((a: El) => a.$type === 'bpmn:Group');
  proc.artifacts = (proc.artifacts ?? []).filter((a: El) => !groups.includes(a));
  const groupCategories = new Set(groups.map((g: El) => g.categoryValueRef?.$parent).filter(Boolean));
  defs.rootElements = defs.rootElements.filter((e: El) => e.$type !== 'bpmn:Collaboration' && !groupCategories.has(e));
  if (!proc.artifacts.length) delete proc.artifacts;

  const lanes = assignLanes(proc, calledRoles);
  const top: El[] = (proc.flowElements ?? []).filter((e: El) => e.$type !== 'bpmn:SequenceFlow');
  const flows: El[] = [];
  const collectFlows = (c: El) => {
    for (const e of c.flowElements ?? []) {
      if (e.$type === 'bpmn:SequenceFlow') flows.push(e);
      if (e.flowElements) collectFlows(e);
    }
  };
  collectFlows(proc);
  const size = (n: El) =>
    oldShapes.get(n)?.bounds ??
    (isGateway(n) ? { width: 50, height: 50 } : /Event$/.test(n.$type) ? { width: 36, height: 36 } : { width: 100, height: 80 });
  // x: kept from the existing diagram, shifted so the pool starts at POOL_X; a node without DI goes right of its predecessor
  const placed = top.filter((n) => n.$type !== 'bpmn:BoundaryEvent');
  const known = placed.filter((n) => oldShapes.has(n));
  const minX = Math.min(...known.map((n) => oldShapes.get(n).bounds.x));
  const xOf = new Map<El, number>();
  for (const n of known) xOf.set(n, oldShapes.get(n).bounds.x - minX + FIRST_X);
  for (let pass = 0; pass < placed.length && xOf.size < placed.length; pass++) {
    for (const n of placed) {
      if (xOf.has(n)) continue;
      const xs = (n.incoming ?? [])
        .map((f: El) => f.sourceRef.attachedToRef ?? f.sourceRef)
        .filter((p: El) => xOf.has(p))
        .map((p: El) => xOf.get(p)! + size(p).width + SPACING);
      if (xs.length || pass === placed.length - 1) xOf.set(n, xs.length ? Math.max(...xs) : FIRST_X);
    }
  }
  // the exception paths: nodes reached only from a boundary event (and what only they lead to); they take a
  // lower row, so the main line's flows never run through them
  const offMain = new Set<El>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const n of placed) {
      if (offMain.has(n) || !n.incoming?.length) continue;
      if (n.incoming.every((f: El) => f.sourceRef.$type === 'bpmn:BoundaryEvent' || offMain.has(f.sourceRef))) {
        offMain.add(n);
        grew = true;
      }
    }
  }
  const laneSet = moddle.create('bpmn:LaneSet', { id: `${proc.id}-lanes` });
  const participant = moddle.create('bpmn:Participant', { id: `participant-${proc.id}`, name: proc.name, processRef: proc });
  const collaboration = moddle.create('bpmn:Collaboration', { id: `collaboration-${proc.id}`, participants: [participant] });
  /** the diagram for the x positions in xOf: shapes, lanes and routed flows */
  const draw = (): El[] => {
    // y: lanes in the fixed role order, one row per overlap within a lane
    // ties at one x: the node higher in the old diagram (the main line) gets the upper row
    const origY = (n: El) => oldShapes.get(n)?.bounds.y ?? 0;
    const used = ROLES.filter((r) => placed.some((n) => lanes.get(n) === r.key));
    const bounds = new Map<El, Box>();
    /** horizontal lines clear of the rows: each lane's upper and lower margin, between two rows of a lane */
    const corridors: number[] = [];
    const laneBoxes: { role: (typeof ROLES)[number]; box: Box; nodes: El[] }[] = [];
    let y = 60;
    const right = Math.max(...placed.map((n) => xOf.get(n)! + size(n).width)) + 80;
    for (const role of used) {
      const members = placed
        .filter((n) => lanes.get(n) === role.key)
        .sort((a, b) => xOf.get(a)! - xOf.get(b)! || origY(a) - origY(b) || (a.id < b.id ? -1 : 1));
      const rows: { end: number; height: number; nodes: El[] }[] = [];
      for (const n of members) {
        const x = xOf.get(n)!;
        // room below a task for its boundary events' labels
        let row = rows.find((r, i) => (i > 0 || !offMain.has(n)) && r.end + GAP <= x);
        while (!row) {
          rows.push({ end: 0, height: 0, nodes: [] });
          const i = rows.length - 1;
          if (i > 0 || !offMain.has(n)) row = rows[i];
        }
        row.end = x + size(n).width;
        row.height = Math.max(row.height, size(n).height);
        row.nodes.push(n);
      }
      let rowY = y + 40;
      for (const [i, r] of rows.entries()) {
        for (const n of r.nodes)
          bounds.set(n, { x: xOf.get(n)!, y: rowY + (r.height - size(n).height) / 2, width: size(n).width, height: size(n).height });
        // the middle of the gap to the next row: a corridor for flows along the lane
        if (i < rows.length - 1) corridors.push(rowY + r.height + 40);
        rowY += r.height + 80;
      }
      const h = rowY - y - 40;
      corridors.push(y + 20, y + Math.max(h, 120) - 20);
      laneBoxes.push({
        role,
        box: { x: LANE_X, y, width: right - LANE_X, height: Math.max(h, 120) },
        nodes: [...members, ...top.filter((n) => n.$type === 'bpmn:BoundaryEvent' && lanes.get(n) === role.key)],
      });
      y += Math.max(h, 120);
    }
    // boundary events and sub-process contents keep their offset to their host
    const moveWith = (host: El, children: El[]) => {
      const o = oldShapes.get(host)?.bounds;
      const nb = bounds.get(host)!;
      for (const c of children) {
        const cb = oldShapes.get(c)?.bounds ?? { x: (o?.x ?? 0) + 20, y: (o?.y ?? 0) + 20, ...size(c) };
        bounds.set(c, { x: cb.x - (o?.x ?? cb.x) + nb.x, y: cb.y - (o?.y ?? cb.y) + nb.y, width: cb.width, height: cb.height });
      }
    };
    for (const n of placed) {
      moveWith(
        n,
        top.filter((b) => b.attachedToRef === n),
      );
      if (n.flowElements)
        moveWith(
          n,
          n.flowElements.filter((e: El) => e.$type !== 'bpmn:SequenceFlow'),
        );
    }

    const pe: El[] = [];
    const names = new Map<El, El>();
    const boundaryNames: Box[] = [];
    const label = (b: Box) => moddle.create('bpmndi:BPMNLabel', { bounds: moddle.create('dc:Bounds', b) });
    const shape = (el: El, b: Box, extra: Record<string, unknown> = {}) =>
      moddle.create('bpmndi:BPMNShape', { id: `${el.id}-di`, bpmnElement: el, bounds: moddle.create('dc:Bounds', b), ...extra });
    laneSet.lanes = laneBoxes.map(({ role, nodes }) =>
      moddle.create('bpmn:Lane', { id: `lane-${role.key}`, name: role.name, flowNodeRef: nodes }),
    );
    const poolBox = { x: POOL_X, y: 60, width: right - POOL_X, height: y - 60 };
    pe.push(shape(participant, poolBox, { isHorizontal: true }));
    for (const [i, { box }] of laneBoxes.entries()) pe.push(shape(laneSet.lanes[i], box, { isHorizontal: true }));
    const all = [
      ...placed,
      ...top.filter((n) => n.$type === 'bpmn:BoundaryEvent'),
      ...placed.flatMap((n: El) => (n.flowElements ?? []).filter((e: El) => e.$type !== 'bpmn:SequenceFlow')),
    ];
    for (const n of all) {
      const b = bounds.get(n)!;
      const extra: Record<string, unknown> = {};
      if (n.$type === 'bpmn:ExclusiveGateway') extra.isMarkerVisible = true;
      if (n.$type === 'bpmn:SubProcess') extra.isExpanded = true;
      if (n.name && /Event$|Gateway$/.test(n.$type)) {
        const w = textWidth(n.name);
        // an event's name below it, a gateway's above; a boundary event on its host's upper edge: above, off the
        // host's own name
        const host = n.attachedToRef ? bounds.get(n.attachedToRef) : undefined;
        const below = /Event$/.test(n.$type) && !(host && b.y + b.height / 2 < host.y + host.height / 2);
        const lb = { x: Math.round(b.x + b.width / 2 - w / 2), y: below ? b.y + b.height + 4 : b.y - 18, width: w, height: 14 };
        // boundary events side by side: their names one under the other
        while (
          n.attachedToRef &&
          boundaryNames.some((o) => o.x < lb.x + lb.width && lb.x < o.x + o.width && o.y < lb.y + 14 && lb.y < o.y + 14)
        )
          lb.y += below ? 16 : -16;
        if (n.attachedToRef) boundaryNames.push(lb);
        const l = label(lb);
        names.set(n, l.bounds);
        extra.label = l;
      }
      pe.push(shape(n, b, extra));
    }
    // a vertical segment at x from y1 to y2 that would cross a node other than the flow's own ends
    const boxes = [...bounds.entries()];
    const crosses = (x: number, y1: number, y2: number, ends: El[]) =>
      boxes.some(
        ([n, b]) =>
          !ends.includes(n) && x >= b.x - 4 && x <= b.x + b.width + 4 && Math.max(y1, y2) > b.y && Math.min(y1, y2) < b.y + b.height,
      );
    // what a flow may run through: its own ends, their boundary events (or the host of the one it leaves) and
    // the sub-process it lies in
    const exempt = (f: El, n: El) => {
      const ends = [f.sourceRef, f.targetRef];
      for (let p = f.$parent; p; p = p.$parent) if (p === n) return true;
      return ends.includes(n) || ends.includes(n.attachedToRef) || ends.some((e) => e.attachedToRef === n);
    };
    // lines beside the shapes, where a flow passes clear of them
    const sorted = (v: number[]) => [...new Set(v.map(Math.round))].sort((a, b) => a - b);
    const lineXs = sorted(boxes.flatMap(([, b]) => [b.x - 20, b.x + b.width + 20]));
    const lineYs = sorted(boxes.flatMap(([, b]) => [b.y - 20, b.y + b.height + 20]));
    const routed: { source: El; target: El; segments: [Pt, Pt][] }[] = [];
    const labelsAt = new Map<string, number>();
    for (const f of flows) {
      const s = bounds.get(f.sourceRef)!;
      const t = bounds.get(f.targetRef)!;
      const classic = classicRoute(s, t, {
        fromBoundary: f.sourceRef.$type === 'bpmn:BoundaryEvent',
        fromGateway: isGateway(f.sourceRef),
        toGateway: isGateway(f.targetRef),
        blocked: (x, y1, y2) => crosses(x, y1, y2, [f.sourceRef, f.targetRef]),
      });
      const sy = s.y + s.height / 2;
      const pts = route({
        source: s,
        target: t,
        exits: f.sourceRef.$type === 'bpmn:BoundaryEvent' ? [sy < bounds.get(f.sourceRef.attachedToRef)!.y + 1 ? 'up' : 'down'] : undefined,
        obstacles: boxes.filter(([n]) => !exempt(f, n)).map(([, b]) => b),
        xs: lineXs,
        ys: sorted([...corridors, ...lineYs]),
        preferred: classic,
        taken: routed.filter((r) => r.target !== f.targetRef).flatMap((r) => r.segments),
        labels: [...names.entries()].filter(([n]) => n !== f.sourceRef && n !== f.targetRef).map(([, b]) => b),
      });
      routed.push({ source: f.sourceRef, target: f.targetRef, segments: pts.slice(1).map((p, i): [Pt, Pt] => [pts[i], p]) });
      const dedup = pts.filter((p, i) => i === 0 || p[0] !== pts[i - 1][0] || p[1] !== pts[i - 1][1]);
      const extra: Record<string, unknown> = {};
      // a flow leaving a gateway upwards runs through the gateway's name above it: the name moves left of the
      // line (the flow's own label goes right of it)
      const name = isGateway(f.sourceRef) && pts[1]?.[0] === pts[0][0] && pts[1][1] < pts[0][1] ? names.get(f.sourceRef) : undefined;
      if (name) name.x = Math.round(pts[0][0] - 6 - name.width);
      // so does one entering a gateway from above
      const [pn, pl] = [dedup.at(-2)!, dedup.at(-1)!];
      const into = isGateway(f.targetRef) && pn[0] === pl[0] && pn[1] < pl[1] ? names.get(f.targetRef) : undefined;
      // left of the line, or right of it where the left would cover a neighbour's name or a shape
      const clashes = (x: number) =>
        [...names.values(), ...boxes.map(([, b]) => b)].some(
          (o) => o !== into && o.x < x + into.width && x < o.x + o.width && o.y < into.y + into.height && into.y < o.y + o.height,
        );
      if (into) into.x = [Math.round(pl[0] - 6 - into.width), Math.round(pl[0] + 6)].find((x) => !clashes(x)) ?? into.x;
      if (f.name) {
        // beside the first segment, clear of the source: below its start when it leaves downwards, above when
        // it leaves upwards or sideways (a label at the start point itself would sit on the gateway's marker)
        const w = textWidth(f.name);
        const [[x0, y0], [x1, y1]] = [pts[0], pts[1] ?? pts[0]];
        const down = x1 === x0 && y1 > y0;
        const up = x1 === x0 && y1 < y0;
        // several flows leaving one point (a gateway's corner): their labels stacked, not on top of each other
        const at = `${Math.round(x0)},${Math.round(y0)}`;
        const nth = labelsAt.get(at) ?? 0;
        labelsAt.set(at, nth + 1);
        const dy = (up ? -16 : 16) * nth;
        // sideways out of a gateway: below the line, as the gateway's own name sits above it
        const side = isGateway(f.sourceRef) ? y0 + 4 : y0 - 17;
        extra.label = label({
          x: Math.round(x0 + (down || up ? 6 : 8)),
          y: Math.round((down ? y0 + 6 : up ? y0 - 20 : side) + dy),
          width: w,
          height: 14,
        });
      }
      pe.push(
        moddle.create('bpmndi:BPMNEdge', {
          id: `${f.id}-di`,
          bpmnElement: f,
          waypoint: dedup.map(([x, yy]) => moddle.create('dc:Point', { x: Math.round(x), y: Math.round(yy) })),
          ...extra,
        }),
      );
    }
    return pe;
  };
  // empty columns (where removed boxes stood) are narrowed to the spacing, as Modeler's space tool would: what
  // lies right of one moves left; drawn again, as the flows' labels are part of what must stay clear
  let pe = draw();
  for (let i = 0; i <= placed.length; i++) {
    const wide = emptyColumns(pe).filter((c) => c.to - c.from > SPACING);
    if (!wide.length) break;
    for (const n of placed) {
      const x = xOf.get(n)!;
      xOf.set(n, x - wide.filter((c) => c.to <= x).reduce((d, c) => d + c.to - c.from - SPACING, 0));
    }
    pe = draw();
  }
  proc.laneSets = [laneSet];
  defs.rootElements.unshift(collaboration);
  diagram.plane.bpmnElement = collaboration;
  diagram.plane.planeElement = pe;
  const { xml: out } = await moddle.toXML(defs, { format: true });
  return out.endsWith('\n') ? out : `${out}\n`;
}

export async function layoutAll(dir?: string): Promise<void> {
  const files = bpmnFiles(dir);
  const models = await Promise.all(files.map(async (f) => parseBpmn(readFileSync(f, 'utf8'), f)));
  const roles = firstRoles(models.map((m) => m.process));
  for (const m of models) {
    const out = await layout(m.xml, roles);
    if (out !== m.xml) writeFileSync(m.file, out);
    console.log(`${out === m.xml ? 'unchanged' : 'laid out'} ${path.basename(m.file)}`);
  }
}

export async function calledRolesOf(dir?: string): Promise<Map<string, string>> {
  const models = await Promise.all(bpmnFiles(dir).map(async (f) => parseBpmn(readFileSync(f, 'utf8'), f)));
  return firstRoles(models.map((m) => m.process));
}

if (require.main === module)
  layoutAll().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
