// Versioned bindings: call activities, business rule tasks and user task forms bound by `deployment`,
// `versionTag` or `latest`, as Camunda 8.6+ resolves them.
import { expect } from 'chai';
import { Ctx, http, incidents, readFixture, setup, userTasks, variables, waitFor } from './helpers';

const child = (tag: string) => ({
  name: 'binding-child.bpmn',
  process: Buffer.from(readFixture('binding-child.bpmn').replace(/TAG/g, tag)),
});
const rule = (tag: string) => ({
  name: 'bind-rule.dmn',
  decision: Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="conf-bind-drg" name="Bind" namespace="x"><decision id="conf-bind-rule" name="Rule"><extensionElements><zeebe:versionTag value="${tag}" /></extensionElements><variable id="v" name="r" /><literalExpression id="l"><text>"${tag}"</text></literalExpression></decision></definitions>`,
  ),
});
const form = (tag: string) => ({
  name: 'bind.form',
  form: Buffer.from(JSON.stringify({ id: 'conf-bind-form', type: 'default', versionTag: tag, components: [{ type: 'text', text: tag }] })),
});

describe('engine conformance: versioned bindings (latest, deployment, versionTag)', function () {
  let ctx: Ctx;
  before(async () => {
    ctx = await setup();
  });
  after(async () => ctx?.stop());

  it('deployment binds to the version deployed with the caller, versionTag to the tagged version, latest to the newest', async () => {
    const d1 = (await ctx.zbc.deployResources([
      { name: 'binding-parent.bpmn', process: Buffer.from(readFixture('binding-parent.bpmn')) },
      child('v1'),
      rule('v1'),
      form('v1'),
    ] as never)) as any;
    expect(d1.deployments.find((d: any) => d.process?.bpmnProcessId === 'conf-bind-child').process.version).to.equal(1);
    await ctx.zbc.deployResources([child('v2'), rule('v2'), form('v2')] as never);
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-bind-parent', variables: {} });
    const [task] = await waitFor(async () => {
      const l = await userTasks(ctx, pi.processInstanceKey);
      return l.length ? l : undefined;
    }, 'user task');
    const vars = await variables(ctx, pi.processInstanceKey);
    expect(vars).to.include({ viaDeployment: 'v1', viaTag: 'v1', viaLatest: 'v2', ruleTag: 'v1' });
    const f = await http(ctx, 'GET', `/v2/user-tasks/${task.userTaskKey}/form`);
    expect(f.body.version).to.equal(1);
    expect(f.body.schema.versionTag).to.equal('v1');
  });

  it('a versionTag nobody carries is an incident naming the tag; unknown binding types are rejected at deploy', async () => {
    const xml = readFixture('binding-parent.bpmn')
      .replace(/conf-bind-parent/g, 'conf-bind-parent-2')
      .replace('versionTag="v1" propagateAllChildVariables', 'versionTag="v9" propagateAllChildVariables');
    // deployed alone, the deployment binding finds no child in its own deployment
    await ctx.zbc.deployResources([{ name: 'p2.bpmn', process: Buffer.from(xml) }] as never);
    const alone = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-bind-parent-2', variables: {} });
    const [first] = await waitFor(async () => {
      const l = await incidents(ctx, alone.processInstanceKey);
      return l.length ? l : undefined;
    }, 'incident');
    expect(first.elementId).to.equal('by-deployment');
    expect(first.errorType).to.equal('CALLED_ELEMENT_ERROR');
    // with a child in the same deployment, the next call activity wants a tag nobody carries
    await ctx.zbc.deployResources([{ name: 'p2.bpmn', process: Buffer.from(xml + ' ') }, child('v3')] as never);
    const pi = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'conf-bind-parent-2', variables: {} });
    const [inc] = await waitFor(async () => {
      const l = await incidents(ctx, pi.processInstanceKey);
      return l.length ? l : undefined;
    }, 'incident');
    expect(inc.elementId).to.equal('by-tag');
    expect(inc.errorType).to.equal('CALLED_ELEMENT_ERROR');
    expect(inc.errorMessage).to.contain("'v9'");
    if (ctx.external) return;
    const bad = xml
      .replace(/conf-bind-parent-2/g, 'conf-bind-bad')
      .replace('bindingType="deployment" propagateAllChildVariables', 'bindingType="sometimes" propagateAllChildVariables');
    const err = await ctx.zbc.deployResources([{ name: 'bad.bpmn', process: Buffer.from(bad) }] as never).then(
      () => null,
      (e: any) => e,
    );
    expect(String(err?.details ?? err?.message))
      .to.contain('by-deployment')
      .and.contain('sometimes');
  });
});
