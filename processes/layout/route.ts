/**
 * Orthogonal routing of one sequence flow around the shapes of the diagram (issue #20: a flow drawn over a box
 * leaves the process owner guessing where it goes). The candidates leave the source on its right side, top or
 * bottom and enter the target on its left side, top or bottom, with their vertical segments at the source's or
 * target's x, at a free x beside a shape or halfway, and their horizontal ones at the row, at a lane's margin or
 * between two rows. The route with the fewest shapes crossed wins; among equals the layout's own route (`preferred`,
 * the look the diagrams had), then the shortest. Everything is computed from the positions alone, so the result is
 * deterministic and a re-run gives the same file.
 */
export type Box = { x: number; y: number; width: number; height: number };
export type Pt = [number, number];
type Dir = 'right' | 'left' | 'up' | 'down';

export interface RouteRequest {
  source: Box;
  target: Box;
  /** leaving a boundary event: only downwards (or upwards, on its host's upper edge), as BPMN draws it */
  exits?: Dir[];
  /** the shapes the flow must not cross: all but its own ends, their boundary events and its sub-process */
  obstacles: Box[];
  /** free vertical and horizontal lines worth trying (beside shapes, lane margins, between rows) */
  xs: number[];
  ys: number[];
  preferred: Pt[];
  /** the segments of the flows routed before, other than those into this flow's target (they join there): a
   * stretch run along one of them makes two flows read as one */
  taken?: [Pt, Pt][];
  /** the names of events and gateways (not the flow's own ends'): a line through a name makes it hard to read */
  labels?: Box[];
}

/** a margin around shapes: a line closer than this to a box reads as touching it */
const CLEAR = 6;
/** a bend costs as much as this much length: of two routes as long, the simpler */
const BEND = 15;
/** the stub a route takes out of its source (or into its target) before turning */
const STUB = 20;

// module-level and allocation-free: these run for every segment of every candidate against every shape
function overlap(lo: number, hi: number, from: number, to: number): boolean {
  return Math.max(lo, from) < Math.min(hi, to);
}

function through(a: Pt, b: Pt, r: Box, m: number): boolean {
  if (a[0] === b[0]) {
    const x = a[0];
    return x > r.x - m && x < r.x + r.width + m && overlap(Math.min(a[1], b[1]), Math.max(a[1], b[1]), r.y - m, r.y + r.height + m);
  }
  const y = a[1];
  return y > r.y - m && y < r.y + r.height + m && overlap(Math.min(a[0], b[0]), Math.max(a[0], b[0]), r.x - m, r.x + r.width + m);
}

/** shapes crossed: the obstacles, and the flow's own ends anywhere but where it leaves and enters them */
export function crossings(pts: Pt[], req: Pick<RouteRequest, 'source' | 'target' | 'obstacles'>, margin = CLEAR): number {
  let n = 0;
  for (let i = 1; i < pts.length; i++) {
    for (const r of req.obstacles) if (through(pts[i - 1], pts[i], r, margin)) n++;
    if (i > 1 && through(pts[i - 1], pts[i], req.source, 0)) n++;
    if (i < pts.length - 1 && through(pts[i - 1], pts[i], req.target, 0)) n++;
  }
  return n;
}

/** segments of this route running along (on or next to the line of, and overlapping) a segment of another flow */
export function overlaps(pts: Pt[], taken: [Pt, Pt][]): number {
  let n = 0;
  for (let i = 1; i < pts.length; i++) {
    const [a, b] = [pts[i - 1], pts[i]];
    const v = a[0] === b[0];
    for (const [c, d] of taken) {
      // closer than the margin reads as the same line
      if (v !== (c[0] === d[0]) || Math.abs(v ? a[0] - c[0] : a[1] - c[1]) >= CLEAR) continue;
      const k = v ? 1 : 0;
      if (Math.max(Math.min(a[k], b[k]), Math.min(c[k], d[k])) < Math.min(Math.max(a[k], b[k]), Math.max(c[k], d[k]))) n++;
    }
  }
  return n;
}

const OPPOSITE = { right: 'left', left: 'right', up: 'down', down: 'up' } as const;

const dirOf = (a: Pt, b: Pt): Dir => (a[0] === b[0] ? (b[1] > a[1] ? 'down' : 'up') : b[0] > a[0] ? 'right' : 'left');

/** the points without repeats and straight-through corners; undefined for a route that doubles back on itself */
function clean(pts: Pt[]): Pt[] | undefined {
  const out: Pt[] = [];
  for (const p of pts) if (!out.length || p[0] !== out.at(-1)![0] || p[1] !== out.at(-1)![1]) out.push(p);
  if (out.length < 2) return undefined;
  for (let i = 1; i < out.length; i++) if (out[i][0] !== out[i - 1][0] && out[i][1] !== out[i - 1][1]) return undefined;
  const merged: Pt[] = [out[0]];
  for (let i = 1; i < out.length; i++) {
    if (merged.length >= 2) {
      const [d1, d2] = [dirOf(merged.at(-2)!, merged.at(-1)!), dirOf(merged.at(-1)!, out[i])];
      if (d1 === d2) {
        merged[merged.length - 1] = out[i];
        continue;
      }
      if (OPPOSITE[d1] === d2) return undefined;
    }
    merged.push(out[i]);
  }
  return merged;
}

const length = (pts: Pt[]) => pts.slice(1).reduce((l, p, i) => l + Math.abs(p[0] - pts[i][0]) + Math.abs(p[1] - pts[i][1]), 0);

export function route(req: RouteRequest): Pt[] {
  const { source: s, target: t } = req;
  const [sx, sy, tx, ty] = [s.x + s.width / 2, s.y + s.height / 2, t.x + t.width / 2, t.y + t.height / 2];
  const exits: [Pt, Dir][] = (req.exits ?? ['right', 'up', 'down']).map((d) =>
    d === 'right' ? [[s.x + s.width, sy], d] : d === 'up' ? [[sx, s.y], d] : d === 'down' ? [[sx, s.y + s.height], d] : [[s.x, sy], d],
  );
  // the direction the flow moves in as it enters: into the left side moving right, into the top moving down
  const entries: [Pt, Dir][] = [
    [[t.x, ty], 'right'],
    [[tx, t.y], 'down'],
    [[tx, t.y + t.height], 'up'],
    // a flow back to an earlier step: into its right side, when the others would cross or run along a flow
    [[t.x + t.width, ty], 'left'],
  ];
  // halfway between the two, besides the lines the layout offers
  const xs = [...req.xs, Math.round((s.x + s.width + t.x) / 2)];
  const ys = [...req.ys, Math.round((Math.max(s.y, t.y) + Math.min(s.y + s.height, t.y + t.height)) / 2)];
  const candidates: Pt[][] = [];
  // with a free line for both the vertical and the horizontal stretch: many, tried only when the others cross
  const wide: Pt[][] = [];
  for (const [p, pd] of exits)
    for (const [q, qd] of entries) {
      const ph = pd === 'right' || pd === 'left';
      const qh = qd === 'right' || qd === 'left';
      // one stub out of the source and one into the target, joined by one or two bends
      const p1: Pt = ph ? [p[0] + STUB, p[1]] : [p[0], p[1] + (pd === 'down' ? STUB : -STUB)];
      const q1: Pt = qh ? [q[0] + (qd === 'left' ? STUB : -STUB), q[1]] : [q[0], q[1] + (qd === 'down' ? -STUB : STUB)];
      if (ph && qh) {
        candidates.push([p, q]);
        for (const x of xs) candidates.push([p, [x, p[1]], [x, q[1]], q]);
        for (const y of ys) candidates.push([p, p1, [p1[0], y], [q1[0], y], q1, q]);
      } else if (!ph && qh) {
        candidates.push([p, [p[0], q[1]], q]);
        for (const y of ys) candidates.push([p, [p[0], y], [q1[0], y], q1, q]);
        for (const y of ys) for (const x of xs) wide.push([p, [p[0], y], [x, y], [x, q[1]], q]);
      } else if (ph && !qh) {
        candidates.push([p, [q[0], p[1]], q]);
        for (const x of xs) candidates.push([p, [x, p[1]], [x, q1[1]], [q[0], q1[1]], q]);
        for (const y of ys) for (const x of xs) wide.push([p, [x, p[1]], [x, y], [q[0], y], q]);
      } else {
        candidates.push([p, q]);
        for (const y of ys) candidates.push([p, [p[0], y], [q[0], y], q]);
      }
    }
  const taken = req.taken ?? [];
  const named = { source: s, target: t, obstacles: req.labels ?? [] };
  /** the criteria in order: shapes crossed, stretches along another flow, not the layout's own route, names crossed, length with bends */
  const CRITERIA = 5;
  const criterion = (i: number, pts: Pt[], preferred: boolean): number =>
    i === 0
      ? crossings(pts, req)
      : i === 1
        ? overlaps(pts, taken)
        : i === 2
          ? preferred
            ? 0
            : 1
          : i === 3
            ? crossings(pts, named, 2)
            : length(pts) + BEND * (pts.length - 2);
  let best: { pts: Pt[]; key: number[] } | undefined;
  const consider = (raw: Pt[], preferred: boolean) => {
    const pts = clean(raw);
    if (!pts) return;
    // out of the source the way the port faces, into the target the way its side faces
    const [first, last] = [dirOf(pts[0], pts[1]), dirOf(pts.at(-2)!, pts.at(-1)!)];
    if (!preferred && !exits.some(([p, d]) => p[0] === pts[0][0] && p[1] === pts[0][1] && d === first)) return;
    if (!preferred && !entries.some(([q, d]) => q[0] === pts.at(-1)![0] && q[1] === pts.at(-1)![1] && d === last)) return;
    // compared criterion by criterion, the next computed only while the route is not already worse
    const key: number[] = [];
    let better = best === undefined;
    for (let i = 0; i < CRITERIA; i++) {
      key.push(criterion(i, pts, preferred));
      if (better || !best) continue;
      if (key[i] > best.key[i]) return;
      if (key[i] < best.key[i]) better = true;
    }
    // all equal: the first one tried stays
    if (better) best = { pts, key };
  };
  const clear = () => best !== undefined && best.key[0] === 0 && best.key[1] === 0;
  consider(req.preferred, true);
  if (clear()) return best!.pts;
  for (const c of candidates) consider(c, false);
  if (best === undefined || best.key[0] > 0) for (const c of wide) consider(c, false);
  return best?.pts ?? req.preferred;
}
