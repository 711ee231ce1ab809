/**
 * The layout's own route for a flow, as the diagrams had it before the routing around shapes (route.ts): straight
 * along a row, out of a gateway's corner, into a gateway from the side, halfway across otherwise. route.ts keeps
 * it when it crosses nothing and runs along no other flow, so a diagram that was clear keeps its look.
 */
import type { Box, Pt } from './route';

export interface ClassicOptions {
  fromBoundary: boolean;
  fromGateway: boolean;
  toGateway: boolean;
  /** whether a vertical line at x from y1 to y2 would run through a node other than the flow's ends */
  blocked: (x: number, y1: number, y2: number) => boolean;
}

export function classicRoute(s: Box, t: Box, o: ClassicOptions): Pt[] {
  const [sx, sy, tx, ty] = [s.x + s.width / 2, s.y + s.height / 2, t.x + t.width / 2, t.y + t.height / 2];
  let pts: Pt[];
  if (o.fromBoundary)
    pts = [
      [sx, s.y + s.height],
      [sx, ty],
      [t.x, ty],
    ];
  else if (t.x >= s.x + s.width) {
    if (Math.abs(sy - ty) < 1)
      pts = [
        [s.x + s.width, sy],
        [t.x, ty],
      ];
    else if (o.fromGateway && !o.blocked(sx, sy, ty))
      pts = [
        [sx, ty < sy ? s.y : s.y + s.height],
        [sx, ty],
        [t.x, ty],
      ];
    else if (o.toGateway && !o.fromGateway)
      pts = [
        [s.x + s.width, sy],
        [tx, sy],
        [tx, sy < ty ? t.y : t.y + t.height],
      ];
    else {
      // turning halfway to the target; also a gateway's flow whose straight drop would run through the node
      // below it (an end event of the other branch)
      const mx = Math.round((s.x + s.width + t.x) / 2);
      pts = [
        [s.x + s.width, sy],
        [mx, sy],
        [mx, ty],
        [t.x, ty],
      ];
    }
  } else if (Math.abs(sx - tx) < t.width / 2 + s.width / 2 && o.blocked(sx, sy, ty)) {
    // one above the other with something between them: around it on the right, into the target from
    // above or below (its sides carry its own flows)
    const rx = Math.max(s.x + s.width, t.x + t.width) + 20;
    const ey = t.y > s.y ? t.y - 20 : t.y + t.height + 20;
    pts = [
      [s.x + s.width, sy],
      [rx, sy],
      [rx, ey],
      [tx, ey],
      [tx, t.y > s.y ? t.y : t.y + t.height],
    ];
  } else if (Math.abs(sx - tx) < t.width / 2 + s.width / 2 && t.y > s.y)
    pts = [
      [sx, s.y + s.height],
      [sx, t.y],
    ];
  else if (Math.abs(sx - tx) < t.width / 2 + s.width / 2 && t.y < s.y)
    pts = [
      [sx, s.y],
      [sx, t.y + t.height],
    ];
  else {
    const by = Math.max(s.y + s.height, t.y + t.height) + 25;
    pts = [
      [sx, s.y + s.height],
      [sx, by],
      [tx, by],
      [tx, t.y + t.height],
    ];
  }
  return pts;
}
