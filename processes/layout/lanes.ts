/**
 * Which lane each flow node of a model goes to (processes/layout.ts draws them): a user task to its candidate
 * group's / assignee's role, a call activity to the role of the first user task of the called process, a
 * service task or event to the lane of the step before it, a decision gateway to its predecessor's, a merge
 * gateway (and a start event) to the step it leads into; anything else, and a role this file does not know,
 * to 系统.
 */
import { type El, extension } from '../model';

export const ROLES: { key: string; name: string; groups: string[] }[] = [
  { key: 'customer-manager', name: '客户经理', groups: ['customer-manager', '=customerManager'] },
  { key: 'dept-manager', name: '部门经理', groups: ['dept-manager'] },
  { key: 'center-reviewer', name: '中心审核', groups: ['center-reviewer'] },
  { key: 'tech-dept', name: '技术部', groups: ['tech-dept'] },
  { key: 'contract-admin', name: '合同管理员', groups: ['contract-admin'] },
  { key: 'ops', name: '运行维护处', groups: ['ops'] },
  { key: 'ap', name: 'AP 供应商', groups: [] },
  { key: 'system', name: '系统', groups: [] },
];
/** steps outside the system whose performer no attribute names: the AP works on its own platform */
const OVERRIDES: Record<string, string> = { 'ap-implementation': 'ap' };
const SYSTEM = 'system';
const isGateway = (n: El) => /Gateway$/.test(n.$type);
const isMerge = (n: El) => isGateway(n) && (n.incoming ?? []).length > 1;

function userTaskRole(n: El): string {
  const a = extension(n, 'zeebe:AssignmentDefinition');
  const vals = [a?.candidateGroups, a?.assignee].filter(Boolean).flatMap((v: string) => v.split(',').map((s) => s.trim()));
  return ROLES.find((r) => r.groups.some((g) => vals.includes(g)))?.key ?? SYSTEM;
}

/** the role of the first user task reachable from the start of each process in the folder */
export function firstRoles(processes: El[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of processes) {
    const seen = new Set<El>();
    const queue: El[] = (p.flowElements ?? []).filter((e: El) => e.$type === 'bpmn:StartEvent');
    while (queue.length) {
      const n = queue.shift();
      if (seen.has(n)) continue;
      seen.add(n);
      if (n.$type === 'bpmn:UserTask') {
        out.set(p.id, userTaskRole(n));
        break;
      }
      queue.push(...(n.outgoing ?? []).map((f: El) => f.targetRef));
    }
  }
  return out;
}

export function assignLanes(proc: El, calledRoles: Map<string, string>): Map<El, string> {
  const lanes = new Map<El, string>();
  const nodes: El[] = (proc.flowElements ?? []).filter((e: El) => e.$type !== 'bpmn:SequenceFlow');
  const explicit = (n: El): string | undefined => {
    if (OVERRIDES[n.id]) return OVERRIDES[n.id];
    if (n.$type === 'bpmn:UserTask') return userTaskRole(n);
    if (n.$type === 'bpmn:CallActivity') return calledRoles.get(extension(n, 'zeebe:CalledElement')?.processId) ?? SYSTEM;
    return undefined;
  };
  const lane = (n: El, depth = 0): string => {
    if (lanes.has(n)) return lanes.get(n)!;
    if (depth > nodes.length) return SYSTEM;
    const ex = explicit(n);
    if (ex) return ex;
    if (n.$type === 'bpmn:BoundaryEvent') return lane(n.attachedToRef, depth + 1);
    const ins: El[] = (n.incoming ?? []).map((f: El) => f.sourceRef);
    const outs: El[] = (n.outgoing ?? []).map((f: El) => f.targetRef);
    if (isMerge(n) || (n.$type === 'bpmn:StartEvent' && outs.length === 1)) {
      // a merge (or a start) belongs to the step it leads into, when that step names its performer
      let next = outs[0];
      for (let i = 0; next && isMerge(next) && i < nodes.length; i++) next = (next.outgoing ?? [])[0]?.targetRef;
      return (next && explicit(next)) ?? SYSTEM;
    }
    if (ins.length !== 1) return SYSTEM;
    const prev = ins[0];
    if (/Task$|Event$/.test(n.$type) && isGateway(prev) && !/EndEvent$/.test(n.$type)) return SYSTEM;
    if (isMerge(prev)) return SYSTEM;
    return lane(prev, depth + 1);
  };
  for (const n of nodes) lanes.set(n, lane(n));
  return lanes;
}
