/**
 * What the admins are told (people.md, issue #18), with the whole system (engine, workers, notifier, API)
 * and SMTP_URL at a real SMTP server started here:
 * - an incident appeared: one notification per incident to role admin, in-app and by mail, linking the
 *   instance page; a restart of the watch (only the database remembers) neither repeats nor skips;
 * - next year's working-day calendar is missing: nothing before 1 November (business clock, Shanghai);
 *   from then one notification per year, however often the check runs; none when the year is loaded.
 */
import { expect } from 'chai';
import { NotificationEntity } from '../../db/entities/index';
import { INCIDENT_CURSOR, incidentDedupeKey, startAdminWatch, type RunningAdminWatch } from '../../app/notifier/admin-watch';
import { calendarDedupeKey, checkNextYearCalendar } from '../../domain/notifications/calendar-watch';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { UNSCHEDULED_YEAR, withoutSchedule } from '../support/calendar-years';
import { startE2E, type E2E } from './support/system';
import * as d from './support/driver';

const ADMIN_MAIL = 'admin@example.test';
const PROBE = 'admin-notify-probe';
const PROBE_JOB = 'probe.always-fails';
const PROBE_BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://example.test">
  <bpmn:process id="${PROBE}" name="故障探针" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="probe-step" name="探针环节"><bpmn:extensionElements><zeebe:taskDefinition type="${PROBE_JOB}" retries="1"/></bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="probe-step"/>
    <bpmn:sequenceFlow id="f2" sourceRef="probe-step" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>`;

describe('process: admin notifications (incident appeared, next year calendar missing)', function () {
  this.timeout(120_000);
  let e: E2E;
  let smtp: TestSmtpServer;
  let restarted: RunningAdminWatch | null = null;

  before(async () => {
    smtp = await startSmtpServer();
    e = await startE2E({ env: { SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'http://ot.example.test' } });
    // the year after the suite's clock is "not yet published" in this database, whatever the package holds
    await withoutSchedule(e.ds, UNSCHEDULED_YEAR);
    await e.sys.zeebe.deployResources([{ name: `${PROBE}.bpmn`, process: Buffer.from(PROBE_BPMN) }]);
  });
  after(async () => {
    await restarted?.stop();
    await e?.stop();
    await smtp?.close();
  });

  /** an instance of the probe whose only job fails without retries: one incident */
  async function raiseIncident(): Promise<{ processInstanceKey: string; incidentKey: string }> {
    const pi = await e.sys.zeebe.createProcessInstance({ bpmnProcessId: PROBE, variables: {} });
    const pik = String(pi.processInstanceKey);
    const job = await d.waitFor(async () => {
      const jobs = await e.sys.zeebe.activateJobs({
        type: PROBE_JOB,
        worker: 'test',
        maxJobsToActivate: 10,
        timeout: 60_000,
        requestTimeout: 1000,
      });
      return jobs.find((j) => String(j.processInstanceKey) === pik) ?? null;
    }, 'the probe job');
    await e.sys.zeebe.failJob({ jobKey: job.key, retries: 0, errorMessage: '探针：外部系统不可用', retryBackOff: 0 });
    const [inc] = await d.waitFor(async () => {
      const r = await d.activeIncidents(e, pik);
      return r.length ? r : null;
    }, 'the incident');
    return { processInstanceKey: pik, incidentKey: String(inc.incidentKey) };
  }
  const notificationsOf = (dedupeKey: string) => e.ds.getRepository(NotificationEntity).find({ where: { dedupeKey } });

  it('an incident appeared: the admins get one notification in-app and by mail, with the instance link; a restarted watch neither repeats nor skips', async () => {
    const inc = await raiseIncident();
    const subject = `流程出现故障（incident）：${PROBE} / probe-step`;
    const mail = await d.waitFor(
      async () => smtp.to(ADMIN_MAIL).find((m) => m.subject === subject && m.text.includes(inc.processInstanceKey)),
      'the incident mail',
      15_000,
    );
    expect(mail.text)
      .to.contain('探针：外部系统不可用')
      .and.contain(`http://ot.example.test/#/operations/instances/${inc.processInstanceKey}`)
      .and.contain('JOB_NO_RETRIES');
    const inbox = await e.api.ok('admin', 'GET', '/api/notifications?limit=200');
    const items = inbox.items.filter(
      (i: { template: string; refs: { incidentKey?: string } }) =>
        i.template === 'incident-appeared' && i.refs.incidentKey === inc.incidentKey,
    );
    expect(items).to.have.length(1);
    expect(items[0].case).to.deep.include({ kind: 'incident', path: `#/operations/instances/${inc.processInstanceKey}` });
    // nobody else is told
    const cm = await e.api.ok(d.CM, 'GET', '/api/notifications?limit=200');
    expect(cm.items.filter((i: { template: string }) => i.template === 'incident-appeared')).to.have.length(0);

    // the watch keeps polling: still one
    await new Promise((r) => setTimeout(r, 500));
    expect(await notificationsOf(incidentDedupeKey(inc.incidentKey))).to.have.length(1);

    // a restart: the running watch stops, an incident appears meanwhile, a new watch over the same database
    await e.sys.notifications.adminWatch!.stop();
    const cursor = await e.ds.getRepository('NotificationCursor').findOneByOrFail({ name: INCIDENT_CURSOR });
    expect(cursor).to.have.property('position');
    const inc2 = await raiseIncident();
    const rest = async (path: string, body: unknown) =>
      (
        await fetch(e.sys.restAddress + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json();
    restarted = startAdminWatch({
      dataSource: e.ds,
      rest,
      clock: e.sys.clock,
      intervalMs: 100,
      onAnnounced: () => e.sys.notifications.sender.kick(),
    });
    await restarted.pollIncidents();
    expect(await restarted.pollIncidents()).to.equal(0);
    expect(await notificationsOf(incidentDedupeKey(inc.incidentKey))).to.have.length(1);
    expect(await notificationsOf(incidentDedupeKey(inc2.incidentKey)), 'the incident raised while the watch was down').to.have.length(1);
    await d.waitFor(
      async () => smtp.to(ADMIN_MAIL).find((m) => m.text.includes(`#/operations/instances/${inc2.processInstanceKey}`)),
      'the second incident mail',
      15_000,
    );
    expect(smtp.to(ADMIN_MAIL).filter((m) => m.text.includes(`#/operations/instances/${inc.processInstanceKey}`))).to.have.length(1);
  });

  it('next year calendar missing: nothing in October; from 1 November one notification to the admins, once per year', async () => {
    const year = UNSCHEDULED_YEAR;
    const key = calendarDedupeKey(year);
    // the suite's clock is in 2026, the year before the one without schedule
    expect(Number(new Date(e.sys.clock.now()).getFullYear())).to.equal(year - 1);
    await e.clockSet(`${year - 1}-10-31T23:59:00+08:00`);
    expect(await checkNextYearCalendar(e.ds, e.sys.clock.now())).to.equal(null);
    expect(await notificationsOf(key)).to.have.length(0);

    await e.clockSet(`${year - 1}-11-01T00:00:30+08:00`);
    const subject = `${year} 年工作日历尚未导入`;
    const mail = await d.waitFor(async () => smtp.to(ADMIN_MAIL).find((m) => m.subject === subject), 'the calendar mail', 15_000);
    expect(mail.text)
      .to.contain(`PUT /api/calendar/${year}`)
      .and.contain(`${year - 1}-11-01`);
    // the checks go on (every poll, and later days): still one
    expect(await checkNextYearCalendar(e.ds, e.sys.clock.now())).to.equal(null);
    await e.clockSet(`${year - 1}-12-15T10:00:00+08:00`);
    expect(await checkNextYearCalendar(e.ds, e.sys.clock.now())).to.equal(null);
    await new Promise((r) => setTimeout(r, 500));
    expect(await notificationsOf(key)).to.have.length(1);
    const inbox = await e.api.ok('admin', 'GET', '/api/notifications?limit=200');
    expect(inbox.items.filter((i: { template: string }) => i.template === 'calendar-next-year-missing')).to.have.length(1);
    expect(smtp.to(ADMIN_MAIL).filter((m) => m.subject === subject)).to.have.length(1);
    // a year whose successor is loaded tells nobody: 2025 (2026 is published)
    expect(await checkNextYearCalendar(e.ds, new Date('2025-11-20T10:00:00+08:00'))).to.equal(null);
    expect(await notificationsOf(calendarDedupeKey(2026))).to.have.length(0);
  });
});
