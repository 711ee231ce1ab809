import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formFields, formFiles, loadForm, loadModels } from '../../processes/model';
import { BEGIN, END, staffSection } from './support/staff-doc';

const DOC = path.resolve(__dirname, '..', '..', 'docs', 'staff.md');

describe('docs/staff.md agrees with the forms', () => {
  it('the form-fields section is what the forms hold (fields, labels, allowed values); UPDATE_STAFF_DOC=1 rewrites it', async () => {
    const expected = staffSection(await loadModels());
    let doc = readFileSync(DOC, 'utf8');
    const [from, to] = [doc.indexOf(BEGIN), doc.indexOf(END)];
    expect(from, 'docs/staff.md has the generated section').to.be.greaterThan(-1);
    if (process.env.UPDATE_STAFF_DOC === '1') {
      doc = doc.slice(0, from) + expected + doc.slice(to + END.length);
      writeFileSync(DOC, doc);
    }
    expect(doc.slice(from, doc.indexOf(END) + END.length)).to.equal(expected);
  });

  it('every field label of every form is in the doc, and the ratings are 1–5 as the doc says', () => {
    const doc = readFileSync(DOC, 'utf8');
    for (const file of formFiles()) {
      const form = loadForm(path.basename(file, '.form'))!;
      for (const c of formFields(form))
        expect(doc, `${form.id}.${c.key}`).to.include(`| ${c.label ?? (c as { dateLabel?: string }).dateLabel} |`);
    }
    expect(doc).to.match(/网络质量\s*（?\(?1–5/);
    const record = loadForm('customer-communication-record')!;
    for (const key of ['networkQuality', 'serviceAttitude']) {
      const field = formFields(record).find((c) => c.key === key)!;
      expect(field.values!.map((v) => v.value).sort(), key).to.deep.equal(['1', '2', '3', '4', '5']);
    }
  });
});
