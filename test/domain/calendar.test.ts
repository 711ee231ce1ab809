import { expect } from 'chai';
import chineseDays from 'chinese-days';
import type { DataSource } from 'typeorm';
import {
  WorkingCalendar,
  getCalendarYear,
  loadCalendar,
  uploadCalendarYear,
  validateCalendarYearDocument,
  type WorkingCalendar as Cal,
} from '../../domain/calendar';
import { AuditLogEntity } from '../../db/entities/index';
import { closeTestDataSource, openTestDataSource, resetDatabase } from '../support/db';
import { checkScheduledYears, UNSCHEDULED_YEAR, withoutSchedule } from '../support/calendar-years';

describe('domain/calendar: working days (PRC, Asia/Shanghai)', () => {
  let ds: DataSource;
  let cal: Cal;
  before(async () => {
    ds = await openTestDataSource();
    await resetDatabase(ds);
    checkScheduledYears();
    await withoutSchedule(ds, UNSCHEDULED_YEAR);
    cal = await loadCalendar(ds, { fresh: true });
  });
  after(async () => closeTestDataSource(ds));

  const next = (from: string, n = 1) => cal.addWorkingDays(from, n).date;

  it('domain.md example: delivered 2026-09-30, 1 working day → 2026-10-08, deadline end of that day +08:00', () => {
    expect(cal.addWorkingDays('2026-09-30', 1)).to.deep.equal({
      date: '2026-10-08',
      deadline: '2026-10-08T23:59:59+08:00',
      provisional: false,
    });
  });

  it('the seeded 2025 and 2026 schedules match the State Council notices', () => {
    const off = (d: string) => expect(cal.isWorkingDay(d), `${d} off`).to.equal(false);
    const on = (d: string) => expect(cal.isWorkingDay(d), `${d} working`).to.equal(true);
    // 2025 Spring Festival Jan 28–Feb 4, Sun Jan 26 and Sat Feb 8 worked
    for (const d of ['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-03', '2025-02-04']) off(d);
    on('2025-01-26');
    on('2025-02-08');
    on('2025-01-27');
    on('2025-02-05');
    // 2025 Qingming Apr 4–6; Labour Day May 1–5 with Sun Apr 27 worked; Dragon Boat May 31–Jun 2
    off('2025-04-04');
    on('2025-04-27');
    for (const d of ['2025-05-01', '2025-05-02', '2025-05-05']) off(d);
    off('2025-06-02');
    // 2025 National Day + Mid-Autumn Oct 1–8, Sun Sep 28 and Sat Oct 11 worked
    for (const d of ['2025-10-01', '2025-10-03', '2025-10-06', '2025-10-07', '2025-10-08']) off(d);
    on('2025-09-28');
    on('2025-10-11');
    on('2025-10-09');
    // 2026: New Year Jan 1–3 (Sun Jan 4 worked); Spring Festival Feb 15–23 (Sat Feb 14, Sat Feb 28 worked)
    off('2026-01-01');
    off('2026-01-02');
    on('2026-01-04');
    for (const d of ['2026-02-16', '2026-02-20', '2026-02-23']) off(d);
    on('2026-02-14');
    on('2026-02-28');
    // Qingming Apr 4–6 (Mon Apr 6 off); Labour May 1–5 (Sat May 9 worked); Dragon Boat Jun 19–21
    off('2026-04-06');
    off('2026-05-04');
    off('2026-05-05');
    on('2026-05-09');
    off('2026-06-19');
    // Mid-Autumn Sep 25–27; National Day Oct 1–7 (Sun Sep 20 and Sat Oct 10 worked)
    off('2026-09-25');
    on('2026-09-20');
    for (const d of ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07']) off(d);
    on('2026-10-08');
    on('2026-10-10');
    expect(cal.isPublished(2025)).to.equal(true);
    expect(cal.isPublished(2026)).to.equal(true);
    expect(cal.isPublished(UNSCHEDULED_YEAR)).to.equal(false);
  });

  it('counts across the holidays of 2025 with adjusted working weekend days', () => {
    expect(next('2025-01-24')).to.equal('2025-01-26'); // Fri → Sun worked before Spring Festival
    expect(next('2025-01-24', 2)).to.equal('2025-01-27');
    expect(next('2025-01-24', 3)).to.equal('2025-02-05'); // over Jan 28–Feb 4
    expect(next('2025-02-07')).to.equal('2025-02-08'); // Sat worked
    expect(next('2025-04-03')).to.equal('2025-04-07'); // Qingming
    expect(next('2025-04-25')).to.equal('2025-04-27'); // Sun worked before Labour Day
    expect(next('2025-04-30')).to.equal('2025-05-06'); // Labour Day
    expect(next('2025-05-30')).to.equal('2025-06-03'); // Dragon Boat
    expect(next('2025-09-26')).to.equal('2025-09-28'); // Sun worked before National Day
    expect(next('2025-09-30')).to.equal('2025-10-09'); // National Day + Mid-Autumn
    expect(next('2025-10-10')).to.equal('2025-10-11'); // Sat worked after
  });

  it('counts across the holidays of 2026 with adjusted working weekend days', () => {
    expect(next('2025-12-31')).to.equal('2026-01-04'); // New Year, Sun worked
    expect(next('2026-02-13')).to.equal('2026-02-14'); // Sat worked before Spring Festival
    expect(next('2026-02-13', 2)).to.equal('2026-02-24');
    expect(next('2026-02-27')).to.equal('2026-02-28'); // Sat worked after
    expect(next('2026-04-03')).to.equal('2026-04-07'); // Qingming (Mon Apr 6 off)
    expect(next('2026-04-30')).to.equal('2026-05-06'); // Labour Day
    expect(next('2026-05-08')).to.equal('2026-05-09'); // Sat worked
    expect(next('2026-06-18')).to.equal('2026-06-22'); // Dragon Boat
    expect(next('2026-09-18')).to.equal('2026-09-20'); // Sun worked before National Day
    expect(next('2026-09-24')).to.equal('2026-09-28'); // Mid-Autumn
    expect(next('2026-10-09')).to.equal('2026-10-10'); // Sat worked after National Day
  });

  it('60 working days agree with an independent day-by-day count over chinese-days for every start in 2025–Aug 2026', () => {
    const oracle = (from: string, n: number) => {
      let d = new Date(`${from}T00:00:00Z`);
      let left = n;
      while (left > 0) {
        d = new Date(d.getTime() + 86_400_000);
        if (chineseDays.isWorkday(d.toISOString().slice(0, 10))) left--;
      }
      return d.toISOString().slice(0, 10);
    };
    let checked = 0;
    for (let t = Date.UTC(2025, 0, 1); t <= Date.UTC(2026, 7, 31); t += 86_400_000) {
      const from = new Date(t).toISOString().slice(0, 10);
      const r = cal.addWorkingDays(from, 60);
      expect(r.provisional, from).to.equal(false);
      expect(r.date, from).to.equal(oracle(from, 60));
      checked++;
    }
    expect(checked).to.equal(608);
  });

  it('counting into an unpublished year is provisional and uses weekends only there', () => {
    const r = cal.addWorkingDays('2026-12-15', 60);
    expect(r.provisional).to.equal(true);
    // weekends-only count by hand from the rule: 2026-12-16..31 has 12 weekdays, then 48 weekdays of 2027
    let d = new Date('2026-12-31T00:00:00Z');
    let left = 48;
    while (left > 0) {
      d = new Date(d.getTime() + 86_400_000);
      const wd = d.getUTCDay();
      if (wd !== 0 && wd !== 6) left--;
    }
    expect(r.date).to.equal(d.toISOString().slice(0, 10));
    expect(cal.addWorkingDays('2026-12-01', 5).provisional).to.equal(false);
  });

  it('subtracts working days (reminder before a deadline) across adjusted days', () => {
    expect(cal.subtractWorkingDays('2026-10-08', 1)).to.deep.equal({ date: '2026-09-30', provisional: false });
    expect(cal.subtractWorkingDays('2026-10-12', 5).date).to.equal('2026-09-29'); // Oct 10 (Sat, worked), 9, 8, Sep 30, 29
    const s = cal.completionSchedule('2026-09-30', 60, 5);
    expect(s.completionDeadline).to.equal(`${cal.addWorkingDays('2026-09-30', 60).date}T23:59:59+08:00`);
    expect(s.completionReminderAt).to.equal(`${cal.addWorkingDays('2026-09-30', 55).date}T09:00:00+08:00`);
    expect(s.deadlineProvisional).to.equal(false);
  });

  it('rejects bad input', () => {
    expect(() => cal.addWorkingDays('2026-02-30', 1)).to.throw(/not a date/);
    expect(() => cal.addWorkingDays('2026-09-30', -1)).to.throw(/non-negative/);
    expect(() => cal.addWorkingDays('2026-09-30', 1.5)).to.throw(/non-negative/);
  });

  it('a pure calendar needs no database', () => {
    const c = new WorkingCalendar(
      [
        { date: '2030-01-07', kind: 'HOLIDAY' },
        { date: '2030-01-12', kind: 'WORKDAY' },
      ],
      [2030],
    );
    expect(c.addWorkingDays('2030-01-04', 1).date).to.equal('2030-01-08');
    expect(c.addWorkingDays('2030-01-11', 1).date).to.equal('2030-01-12');
  });

  describe('admin upload of a year', () => {
    const doc2027 = {
      year: 2027,
      published: true,
      holidays: [
        { date: '2027-01-01', name: '元旦' },
        { date: '2027-02-05', name: '春节' },
        { date: '2027-02-08', name: '春节' },
      ],
      workdays: [{ date: '2027-02-13', name: '春节' }],
      note: 'test schedule (not the real 2027 notice)',
    };

    it('validates the document', () => {
      expect(validateCalendarYearDocument(doc2027)).to.deep.equal([]);
      expect(validateCalendarYearDocument({ ...doc2027, extra: 1 })).to.have.length.greaterThan(0);
      expect(validateCalendarYearDocument({ ...doc2027, workdays: [{ date: '2027-02-10' }] }).join()).to.match(/weekday/);
      expect(validateCalendarYearDocument({ ...doc2027, holidays: [{ date: '2026-12-31' }] }).join()).to.match(/not in 2027/);
      expect(validateCalendarYearDocument({ ...doc2027, holidays: [{ date: '2027-02-29' }] }).join()).to.match(/not a date/);
      expect(
        validateCalendarYearDocument({ ...doc2027, holidays: [{ date: '2027-01-01' }], workdays: [{ date: '2027-01-01' }] }).join(),
      ).to.match(/twice/);
    });

    it('an upload replaces the year, ends provisional counting there, invalidates the cache, and is audited', async () => {
      const before = await loadCalendar(ds);
      expect(before.addWorkingDays('2026-12-31', 1)).to.deep.include({ date: '2027-01-01', provisional: true });
      const r = await uploadCalendarYear(ds, doc2027, { actor: 'admin', reason: 'State Council notice' });
      expect(r.created).to.equal(true);
      const after = await loadCalendar(ds);
      expect(after).to.not.equal(before);
      expect(after.addWorkingDays('2026-12-31', 1)).to.deep.equal({
        date: '2027-01-04',
        deadline: '2027-01-04T23:59:59+08:00',
        provisional: false,
      });
      expect(after.addWorkingDays('2027-02-04', 1).date).to.equal('2027-02-09');
      expect(after.addWorkingDays('2027-02-12', 1).date).to.equal('2027-02-13');
      const read = await getCalendarYear(ds, 2027);
      expect(read).to.deep.include({ year: 2027, published: true, source: 'upload', updatedBy: 'admin' });
      expect(read?.holidays).to.deep.equal(doc2027.holidays);
      // upload again as a draft: replaces, and counting there is provisional again
      const again = await uploadCalendarYear(ds, { ...doc2027, published: false, holidays: [] }, { actor: 'admin' });
      expect(again.created).to.equal(false);
      const draft = await loadCalendar(ds);
      expect(draft.addWorkingDays('2026-12-31', 1)).to.deep.include({ date: '2027-01-01', provisional: true });
      const audits = await ds.getRepository(AuditLogEntity).findBy({ action: 'calendar-year.upload', entityId: '2027' });
      expect(audits).to.have.length(2);
    });

    it('refuses an invalid upload and changes nothing', async () => {
      let err: unknown;
      try {
        await uploadCalendarYear(ds, { ...doc2027, year: 2028, workdays: [{ date: '2028-03-01' }] }, { actor: 'admin' });
      } catch (e) {
        err = e;
      }
      expect(String(err)).to.match(/invalid calendar document/);
      expect(await getCalendarYear(ds, 2028)).to.equal(null);
    });
  });
});
