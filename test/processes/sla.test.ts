/**
 * The one SLA table (domain/sla.json, issue #20): every human step of every model has an entry, every
 * entry is a step that exists, and a step's schedule is counted on the PRC working-day calendar in
 * Beijing time (holidays and 调休 workdays of the calendar, not weekdays of the machine's clock).
 */
import { expect } from 'chai';
import { WorkingCalendar } from '../../domain/calendar';
import { SLA, slaKey, slaSchedule, slaVariable, type SlaEntry } from '../../domain/sla';
import { ROLE_IDS } from '../../domain/vocabulary';
import { type ParsedModel, extension, flowNodes, loadModels } from '../../processes/model';

describe('processes: one SLA table for every human step', () => {
  let models: ParsedModel[];
  before(async () => {
    models = await loadModels();
  });
  const userTasks = () =>
    models.flatMap((m) =>
      flowNodes(m.process)
        .filter((n) => n.$type === 'bpmn:UserTask')
        .map((t) => ({ key: `${m.process.id}#${t.id}`, t })),
    );

  it('every user task of every model has an entry named as the task, escalating to a role', () => {
    const tasks = userTasks();
    expect(tasks.length).to.equal(31);
    for (const { key, t } of tasks) {
      const e = SLA[key];
      expect(e, `${key} has no SLA entry`).to.not.equal(undefined);
      expect(e.name, key).to.equal(t.name);
      expect(ROLE_IDS, `${key} escalateTo`).to.include(e.escalateTo);
      expect(Number.isInteger(e.reminderWorkingDays) && e.reminderWorkingDays >= 0, key).to.equal(true);
      if (e.deadlineVariable)
        expect(extension(t, 'zeebe:TaskSchedule')?.dueDate, `${key}: its due date is the variable the table names`).to.equal(
          `=${e.deadlineVariable}`,
        );
      else {
        expect(Number.isInteger(e.workingDays) && e.workingDays! >= 1, `${key} workingDays`).to.equal(true);
        expect(extension(t, 'zeebe:TaskSchedule')?.dueDate, `${key}: its due date is its entry of the variable sla`).to.equal(
          `=sla.${slaKey(t.id)}.dueAt`,
        );
      }
    }
    expect(Object.keys(SLA).sort(), 'no entry without its task').to.deep.equal(tasks.map((x) => x.key).sort());
  });

  // a calendar of its own (not the published one): National Day off 1–7 October, Saturday 10 October worked
  const calendar = new WorkingCalendar(
    [
      ...[1, 2, 3, 4, 5, 6, 7].map((d) => ({ date: `2026-10-0${d}`, kind: 'HOLIDAY' as const })),
      { date: '2026-10-10', kind: 'WORKDAY' as const },
    ],
    [2026],
  );
  const entry: SlaEntry = { name: '签订收入合同', workingDays: 3, reminderWorkingDays: 1, escalateTo: 'dept-manager' };

  it('due at the end of the Nth working day after the creation day, skipping holidays, counting a 调休 Saturday; reminder at 09:00 the working day before', () => {
    expect(slaSchedule(calendar, entry, new Date('2026-09-30T02:00:00Z'))).to.deep.equal({
      dueAt: '2026-10-10T23:59:59+08:00',
      remindAt: '2026-10-09T09:00:00+08:00',
      provisional: false,
    });
    // a plain week: Monday + 3 working days = Thursday
    expect(slaSchedule(calendar, entry, new Date('2026-11-02T01:00:00Z')).dueAt).to.equal('2026-11-05T23:59:59+08:00');
  });

  it('the creation day is the day in Beijing: 00:00 on 30 September there is still 29 September in UTC', () => {
    // 2026-09-29T15:59:59Z is 29 September 23:59:59 in Shanghai: 30 Sep, 8 Oct, 9 Oct
    expect(slaSchedule(calendar, entry, new Date('2026-09-29T15:59:59Z')).dueAt).to.equal('2026-10-09T23:59:59+08:00');
    // one second later it is 30 September in Shanghai (29 September in UTC): 8, 9, 10 Oct
    expect(slaSchedule(calendar, entry, new Date('2026-09-29T16:00:00Z')).dueAt).to.equal('2026-10-10T23:59:59+08:00');
  });

  it('a deadline counted into a year without a published schedule is provisional (暂定)', () => {
    expect(slaSchedule(calendar, entry, new Date('2026-12-30T02:00:00Z'))).to.include({
      dueAt: '2027-01-04T23:59:59+08:00',
      provisional: true,
    });
  });

  it('the variable sla holds the schedule of every counted step of one process under its camelCase key, from the start day', () => {
    const sla = slaVariable(calendar, 'contract-countersign', new Date('2026-09-30T02:00:00Z'));
    expect(Object.keys(sla).sort()).to.deep.equal(['centerReview', 'deptManagerReview']);
    // 部门经理审核 2 working days from 30 Sep: 8, 9 Oct; 中心审核 3: 8, 9, 10 (the 调休 Saturday)
    expect(sla.deptManagerReview).to.deep.equal({
      dueAt: '2026-10-09T23:59:59+08:00',
      remindAt: '2026-10-08T09:00:00+08:00',
      provisional: false,
    });
    expect(sla.centerReview!.dueAt).to.equal('2026-10-10T23:59:59+08:00');
    expect(
      slaVariable(calendar, 'online-training-provisioning', new Date('2026-11-02T01:00:00Z')),
      'the completion record has its own deadline',
    ).to.not.have.property('fileCompletionRecord');
  });

  it('the steps whose deadline the procedure sets are not counted from the table', () => {
    const fixed = Object.values(SLA).find((e) => e.deadlineVariable === 'completionDeadline')!;
    expect(() => slaSchedule(calendar, fixed, new Date('2026-11-02T01:00:00Z'))).to.throw(/completionDeadline/);
  });
});
