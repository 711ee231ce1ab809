/**
 * A running order keeps what it started with (issue #20, versioned bindings): every call activity and form
 * link binds with `bindingType="deployment"`, so a process owner's new deployment mid-flight changes the
 * countersign and the forms only for orders started after it. The whole processes/ folder is deployed as one
 * deployment (app/deploy.ts), and a deployment with a changed resource gives every resource in it a new version.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deployProcesses } from '../../app/deploy';
import { PROCESSES_DIR } from '../../processes/model';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

const NEW_LABEL = '合同编号（新版）';

/** processes/ with the countersign review form's 合同编号 relabelled and the countersign model's documentation changed */
function editedCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-versions-'));
  fs.cpSync(PROCESSES_DIR, dir, { recursive: true, filter: (f) => !f.includes(`${path.sep}.camunda`) && !f.endsWith('.ts') });
  const formFile = path.join(dir, 'forms', 'countersign-review.form');
  const form = JSON.parse(fs.readFileSync(formFile, 'utf8')) as { components: { label?: string }[] };
  const field = form.components.find((c) => c.label === '合同编号');
  expect(field, 'the review form has a 合同编号 field').to.not.equal(undefined);
  field!.label = NEW_LABEL;
  fs.writeFileSync(formFile, JSON.stringify(form, null, 2));
  const bpmnFile = path.join(dir, 'contract-countersign.bpmn');
  const xml = fs.readFileSync(bpmnFile, 'utf8');
  const edited = xml.replace('<bpmn:documentation>', '<bpmn:documentation>（新版）');
  expect(edited).to.not.equal(xml);
  fs.writeFileSync(bpmnFile, edited);
  return dir;
}

describe('process: a running order keeps the versions it started with', function () {
  this.timeout(180_000);
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(async () => {
    await e?.stop();
  });

  /** the department manager's review of the order's revenue contract: its form's labels and its process's version */
  const review = async (orderNo: string) => {
    const t = await e.api.waitTask(d.DEPT, 'dept-manager-review', { orderNo, contractType: 'REVENUE' }, d.WAIT);
    const full = await e.api.get(d.DEPT, `/api/tasks/${t.key}`);
    const labels = (full.form.components as { label?: string }[]).map((c) => c.label);
    const child = await e.rest('GET', `/v2/process-instances/${t.processInstanceKey}`);
    return { labels, version: child.body.processDefinitionVersion as number };
  };
  const version = async (orderId: string) =>
    (await e.rest('GET', `/v2/process-instances/${await d.orderInstanceKey(e, orderId)}`)).body.processDefinitionVersion as number;

  it('a deployment mid-flight: the running order calls its own countersign with its own forms; a new order gets the new ones', async () => {
    const before = await d.createOrder(e);
    await d.confirm(e, { orderNo: before.orderNo });
    const v1 = await version(before.id);

    const report = await deployProcesses(e.sys.zeebe, editedCopy());
    // one changed resource: every resource of the deployment is a new version, the unchanged provisioning too
    expect(report.items.find((i) => i.id === 'online-training-provisioning')!.version).to.equal(v1 + 1);

    await d.draftRevenue(e, { orderNo: before.orderNo });
    const old = await review(before.orderNo);
    expect(old.labels).to.include('合同编号').and.not.include(NEW_LABEL);

    const after = await d.createOrder(e);
    expect(await version(after.id)).to.equal(v1 + 1);
    await d.confirm(e, { orderNo: after.orderNo });
    await d.draftRevenue(e, { orderNo: after.orderNo });
    const fresh = await review(after.orderNo);
    expect(fresh.labels).to.include(NEW_LABEL).and.not.include('合同编号');
    expect(fresh.version).to.equal(old.version + 1);

    // the running order goes on to the end on its versions
    await d.approveBoth(e, { orderNo: before.orderNo }, 'REVENUE');
    await d.sign(e, { orderNo: before.orderNo });
    expect(await version(before.id)).to.equal(v1);
  });
});
