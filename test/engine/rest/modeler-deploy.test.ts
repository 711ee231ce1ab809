// Camunda Desktop Modeler's default local connection (http://localhost:8080/v2): it probes GET /v2/topology
// with the SDK's CamundaRestClient and, when that answers, deploys with CamundaRestClient.deployResources,
// a multipart POST /v2/deployments with one `resources` part per file. These tests make exactly those
// calls with the project's own models (processes/*.bpmn and processes/forms/*.form), then the same on the
// wire without a client, and with @camunda8/orchestration-cluster-api (strict response validation).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ctx, pinClock, readFixture, setup } from '../helpers';
import { clusterApi, sdkRest, statusOf } from './clients';

const ROOT = path.join(__dirname, '..', '..', '..', 'processes');
const bpmnFiles = fs
  .readdirSync(ROOT)
  .filter((f) => f.endsWith('.bpmn'))
  .map((f) => path.join(ROOT, f));
const formFiles = fs
  .readdirSync(path.join(ROOT, 'forms'))
  .filter((f) => f.endsWith('.form'))
  .map((f) => path.join(ROOT, 'forms', f));
const processIds = bpmnFiles.flatMap((f) =>
  [...fs.readFileSync(f, 'utf8').matchAll(/<bpmn:process id="([^"]+)"[^>]*isExecutable="true"/g)].map((m) => m[1]),
);
const formIds = formFiles.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')).id as string);

describe('engine REST: deploying as Camunda Modeler does', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
    // the monthly report has a cron start event: its first due date counts from the clock at deployment
    if (!ctx.external) await pinClock(ctx, '2027-03-10T10:00:00+08:00');
  });
  after(async () => ctx?.stop());

  it('finds the project models to deploy (guards the test below against an empty set)', () => {
    expect(processIds).to.include.members([
      'online-training-provisioning',
      'online-training-change',
      'contract-countersign',
      'customer-service-request',
      'account-usage-monthly-report',
    ]);
    expect(formIds.length).to.be.greaterThan(10);
  });

  it('topology probe, then CamundaRestClient.deployResources of every BPMN and form: one deployment, every process and form in it', async () => {
    const rest = sdkRest(ctx);
    const topology = await rest.getTopology();
    expect(topology.gatewayVersion).to.match(/^8\.\d+/);
    expect(topology.brokers.length).to.be.greaterThan(0);
    const resources = [...bpmnFiles, ...formFiles].map((f) => ({ name: path.basename(f), content: fs.readFileSync(f) }));
    const res = await rest.deployResources(resources as never);
    expect(res.deploymentKey).to.match(/^\d+$/);
    expect(res.processes.map((p) => p.processDefinitionId)).to.have.members(processIds);
    expect(res.forms.map((f) => f.formId)).to.have.members(formIds);
    for (const p of res.processes) {
      expect(p.processDefinitionKey).to.match(/^\d+$/);
      expect(p.processDefinitionVersion).to.be.a('number').and.to.be.greaterThan(0);
      expect(p.resourceName).to.match(/\.bpmn$/);
    }
    for (const f of res.forms) {
      expect(f.formKey).to.match(/^\d+$/);
      expect(f.version).to.be.greaterThan(0);
    }
    // what was deployed is what the engine runs: the definitions are searchable with their XML
    const search = (await rest.searchProcessDefinitions({
      filter: { processDefinitionId: 'online-training-provisioning' },
    } as never)) as any;
    expect(search.items.map((d: any) => d.processDefinitionKey)).to.include(
      res.processes.find((p) => p.processDefinitionId === 'online-training-provisioning')!.processDefinitionKey,
    );
    // deploying the same files again returns the existing versions (Zeebe's duplicate detection)
    const again = await rest.deployResources(resources as never);
    expect(again.processes.map((p) => p.processDefinitionKey).sort()).to.deep.equal(
      res.processes.map((p) => p.processDefinitionKey).sort(),
    );
  });

  it('on the wire: GET /v2/topology, then multipart POST /v2/deployments with `resources` parts answers the 8.9 DTO', async () => {
    const topo = await fetch(`${ctx.rest}/v2/topology`);
    expect(topo.status).to.equal(200);
    expect(((await topo.json()) as any).brokers[0].partitions[0]).to.include.keys('partitionId', 'role', 'health');
    const form = new FormData();
    form.append('resources', new Blob([readFixture('service-task.bpmn')]), 'service-task.bpmn');
    form.append('resources', new Blob([readFixture('user-task-form.form')]), 'user-task-form.form');
    const res = await fetch(`${ctx.rest}/v2/deployments`, { method: 'POST', body: form, headers: { accept: 'application/json' } });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as any;
    expect(body).to.have.keys('deploymentKey', 'tenantId', 'deployments');
    expect(body.tenantId).to.equal('<default>');
    const proc = body.deployments.find((d: any) => d.processDefinition).processDefinition;
    expect(proc).to.have.keys('processDefinitionId', 'processDefinitionVersion', 'resourceName', 'tenantId', 'processDefinitionKey');
    expect(proc.processDefinitionId).to.equal('conf-service-task');
    expect(typeof proc.processDefinitionKey).to.equal('string');
    const frm = body.deployments.find((d: any) => d.form).form;
    expect(frm).to.have.keys('formId', 'version', 'resourceName', 'tenantId', 'formKey');
  });

  it('@camunda8/orchestration-cluster-api deploys from files and its strict schemas accept the answer', async () => {
    const api = clusterApi(ctx) as any;
    const res = await api.deployResourcesFromFiles([path.join(__dirname, '..', 'fixtures', 'user-task.bpmn')]);
    expect(res.processes.map((p: any) => p.processDefinitionId)).to.deep.equal(['conf-user-task']);
  });

  it('a diagram element that references a missing id does not fail the deployment (Zeebe deploys the executable model)', async () => {
    const xml = readFixture('service-task.bpmn')
      .replace('id="conf-service-task"', 'id="conf-dangling-di"')
      .replace(
        '</bpmn:definitions>',
        `
  <bpmndi:BPMNDiagram xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="conf-dangling-di">
      <bpmndi:BPMNShape id="shape-gone" bpmnElement="removedTask"><dc:Bounds x="0" y="0" width="100" height="80" /></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`,
      );
    const res = await sdkRest(ctx).deployResources([{ name: 'dangling-di.bpmn', content: xml }]);
    expect(res.processes[0].processDefinitionId).to.equal('conf-dangling-di');
  });

  it('bad deployments are 4xx problems naming what is wrong, and deploy nothing', async () => {
    const rest = sdkRest(ctx);
    const bad = await statusOf(rest.deployResources([{ name: 'broken.bpmn', content: readFixture('malformed.bpmn') }]));
    expect(bad.status).to.equal(400);
    expect(bad.detail).to.contain('broken.bpmn');
    const unsupported = await statusOf(
      rest.deployResources([
        { name: 'loop.bpmn', content: readFixture('unsupported-standard-loop.bpmn') },
        { name: 'ok.bpmn', content: readFixture('service-task.bpmn').replace(/conf-service-task/g, 'conf-not-deployed') },
      ]),
    );
    expect(unsupported.status).to.equal(400);
    const defs = (await rest.searchProcessDefinitions({ filter: { processDefinitionId: 'conf-not-deployed' } } as never)) as any;
    expect(defs.items).to.have.length(0);
    // no `resources` part, and a JSON body instead of multipart
    const empty = new FormData();
    empty.append('tenantId', '<default>');
    const r1 = await fetch(`${ctx.rest}/v2/deployments`, { method: 'POST', body: empty });
    expect(r1.status).to.equal(400);
    expect(((await r1.json()) as any).detail).to.contain('resources');
    const r2 = await fetch(`${ctx.rest}/v2/deployments`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(r2.status).to.be.oneOf([400, 415]);
  });

  it('POST /v2/resources/{key}/deletion deletes a process definition: no new instances, and 404 for an unknown key', async () => {
    const rest = sdkRest(ctx);
    const xml = readFixture('service-task.bpmn').replace(/conf-service-task/g, 'conf-deleted-later');
    const d = await rest.deployResources([{ name: 'deleted-later.bpmn', content: xml }]);
    const key = d.processes[0].processDefinitionKey;
    await rest.deleteResource({ resourceKey: key });
    const create = await statusOf(rest.createProcessInstance({ processDefinitionKey: key, variables: {} } as never));
    expect(create.status).to.equal(404);
    const missing = await statusOf(rest.deleteResource({ resourceKey: key }));
    expect(missing.status).to.equal(404);
  });

  it('gRPC DeleteResource deletes a version: the previous one is the latest again (instances by id start from it)', async () => {
    const xml = readFixture('service-task.bpmn').replace(/conf-service-task/g, 'conf-two-versions');
    const v1 = (await ctx.zbc.deployResources([{ process: Buffer.from(xml), name: 'two-versions.bpmn' }] as never)) as any;
    const v2 = (await ctx.zbc.deployResources([
      { process: Buffer.from(xml.replace('name="Do it"', 'name="Do it, v2"')), name: 'two-versions.bpmn' },
    ] as never)) as any;
    const [k1, k2] = [v1.deployments[0].process.processDefinitionKey, v2.deployments[0].process.processDefinitionKey];
    expect(k2).to.not.equal(k1);
    await ctx.zbc.deleteResource({ resourceKey: k2 });
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-two-versions', variables: {} });
    expect(pi.processDefinitionKey).to.equal(k1);
  });
});
