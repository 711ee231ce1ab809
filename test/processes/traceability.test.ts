import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ParsedModel, creatingListenerTypes, flowNodes, loadModels } from '../../processes/model';

const DOC = path.join(__dirname, '..', '..', 'docs', 'traceability.md');
/** The clauses of §6 to §9 of the procedure. */
const CLAUSES = [
  '§6.1',
  '§6.2',
  '§6.3.1',
  '§6.3.2',
  '§6.3.3',
  '§6.3.4',
  '§6.4',
  '§7.1',
  '§8.1',
  '§8.2',
  '§8.3',
  '§9.1',
  '§9.2',
  '§9.3',
  '§9.4',
];

interface Row {
  clause: string;
  ids: string[];
  records: string;
  routes: string;
}
function rows(markdown: string): Row[] {
  const out: Row[] = [];
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('| §')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    out.push({ clause: cells[0], ids: [...cells[2].matchAll(/`([^`]+)`/g)].map((m) => m[1]), records: cells[3], routes: cells[4] });
  }
  return out;
}

describe('docs/traceability.md', () => {
  let models: ParsedModel[];
  const table = rows(readFileSync(DOC, 'utf8'));
  before(async () => {
    models = await loadModels();
  });

  it('maps every clause of §6 to §9 to model elements, records and API routes', () => {
    for (const c of CLAUSES) {
      const mine = table.filter((r) => r.clause.split(' ')[0] === c);
      expect(mine.length, c).to.be.greaterThan(0);
      for (const r of mine) {
        expect(r.ids.length, `${r.clause}: model elements`).to.be.greaterThan(0);
        expect(r.records, `${r.clause}: records`).to.not.equal('');
        expect(r.routes, `${r.clause}: routes`).to.match(/(GET|POST|PUT) \//);
      }
    }
  });

  it('every element id it names exists in the named process', () => {
    const ids = new Map(models.map((m) => [m.process.id as string, new Set(flowNodes(m.process).map((n) => n.id as string))]));
    const named = table.flatMap((r) => r.ids.map((id) => ({ clause: r.clause, id })));
    expect(named.length).to.be.greaterThan(80);
    for (const { clause, id } of named) {
      const [pid, el] = id.split('#');
      expect(ids.has(pid), `${clause}: process ${pid}`).to.equal(true);
      if (el) expect(ids.get(pid)!.has(el), `${clause}: ${id}`).to.equal(true);
    }
  });

  it('the requests a user task issues as it is created (its creating listener) are traced to their clause: 协作任务单, §6.3.2', () => {
    const request = table.find((r) => r.clause.startsWith('§6.3.2 (requests to tech'))!;
    expect(request.ids).to.include('online-training-provisioning#configure-platform');
    expect(request.ids).to.not.include('online-training-provisioning#issue-collaboration-task-order');
    const creating = models.flatMap((m) =>
      flowNodes(m.process)
        .filter((n) => creatingListenerTypes(n).length > 0)
        .map((n) => `${m.process.id}#${n.id}`),
    );
    expect(creating).to.include('online-training-provisioning#configure-platform');
    // 修改业务订单's creating listener lists the AP partners of the revision (§6.3.1)
    expect(creating).to.include('online-training-provisioning#revise-order');
    expect(table.find((r) => r.clause === '§6.3.1')!.ids).to.include('online-training-provisioning#revise-order');
  });

  it('every user task and service task of the models is traced to some clause', () => {
    const named = new Set(table.flatMap((r) => r.ids));
    const untraced: string[] = [];
    for (const m of models) {
      for (const n of flowNodes(m.process)) {
        if (!/UserTask|ServiceTask|CallActivity/.test(n.$type)) continue;
        const pid = m.process.id as string;
        const sameIdElsewhere = [...named].some((x) => x.endsWith(`#${n.id}`));
        if (!named.has(`${pid}#${n.id}`) && !sameIdElsewhere) untraced.push(`${pid}#${n.id}`);
      }
    }
    expect(untraced).to.deep.equal([]);
  });
});
