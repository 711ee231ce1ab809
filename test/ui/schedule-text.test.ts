/** The calendar upload's line format (ui/src/pages/calendar/schedule-text.ts): what an admin pastes from the notice. */
import { expect } from 'chai';
import { parseSchedule, scheduleText } from '../../ui/src/pages/calendar/schedule-text';

describe('ui: the year schedule pasted line by line', () => {
  it("reads dates, ranges in the notice's spellings, comments and blank lines, remembering each line", () => {
    const p = parseSchedule(['# 2027', '2027-01-01 元旦', '', '2027年2月8日 至 2027年2月10日 春节', '2027/4/5~2027/4/6 清明节'].join('\n'));
    expect(p.errors).to.deep.equal([]);
    expect(p.entries.map((e) => e.date)).to.deep.equal([
      '2027-01-01',
      '2027-02-08',
      '2027-02-09',
      '2027-02-10',
      '2027-04-05',
      '2027-04-06',
    ]);
    expect(p.entries[2].name).to.equal('春节');
    expect(p.lineOf).to.deep.equal([2, 4, 4, 4, 5, 5]);
  });

  it('names the line of what it cannot read: no name, an impossible date, a range backwards or too long', () => {
    const p = parseSchedule(
      ['2027-01-01', '2027-02-30 春节', '2027-02-10 至 2027-02-08 春节', '2027-01-01 至 2027-03-01 长假', '元旦 2027-01-01'].join('\n'),
    );
    expect(p.errors.map((e) => e.line)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(p.errors[1].detail).to.contain('2027-02-30');
    expect(p.entries).to.deep.equal([]);
  });

  it('writes a saved document back as lines, consecutive days of one name as a range (and reads it again the same)', () => {
    const entries = [
      { date: '2027-02-09', name: '春节' },
      { date: '2027-01-01', name: '元旦' },
      { date: '2027-02-08', name: '春节' },
      { date: '2027-02-10', name: '春节' },
      { date: '2027-02-11', name: '其他' },
    ];
    const text = scheduleText(entries);
    expect(text).to.equal('2027-01-01 元旦\n2027-02-08 至 2027-02-10 春节\n2027-02-11 其他');
    expect(parseSchedule(text).entries).to.deep.equal([...entries].sort((a, b) => a.date.localeCompare(b.date)));
  });
});
