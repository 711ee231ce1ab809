/**
 * The "what each form shows and asks" section of docs/staff.md, generated from processes/forms/*.form:
 * the staff-doc test compares the section in the doc with this text (UPDATE_STAFF_DOC=1 writes it), so
 * the guide and the forms cannot drift apart.
 */
import {
  type CamundaForm,
  type FormComponent,
  type ParsedModel,
  extension,
  flowNodes,
  formFiles,
  loadForm,
} from '../../../processes/model';
import path from 'node:path';

export const BEGIN = '<!-- form fields: generated from processes/forms by test/processes/support/staff-doc.ts -->';
export const END = '<!-- end of form fields -->';

/** "**竣工期限：** …" → 竣工期限; the title block "### 处理AP异常…" → undefined */
const textLabel = (c: FormComponent) => /\*\*(.+?)：\*\*/.exec(c.text ?? '')?.[1];

function rule(c: FormComponent): string {
  const v = c.validate ?? {};
  const parts: string[] = [];
  if (c.values) parts.push(c.values.map((x) => x.label).join(' / '));
  if (c.valuesKey) parts.push('从流程给出的列表中选择');
  if (c.type === 'number' && typeof v.min === 'number') parts.push(typeof v.max === 'number' ? `${v.min} 至 ${v.max}` : `不小于 ${v.min}`);
  if (c.type === 'datetime') parts.push('日期');
  if (typeof v.maxLength === 'number') parts.push(`最多 ${v.maxLength} 字`);
  return parts.join('；');
}

function rows(form: CamundaForm): string[] {
  const out: string[] = [];
  for (const c of form.components) {
    const shown = c.conditional?.hide ? '显示（有值时）' : '显示';
    if (c.type === 'text') {
      const label = textLabel(c);
      const when = c.text?.includes('date and time(')
        ? '北京时间，如 2026年10月8日 23:59'
        : c.text?.includes('date(')
          ? c.text.includes('string(s.day)')
            ? '如 2026年10月8日'
            : '如 2026年11月'
          : '';
      if (label) out.push(`| ${label} | ${shown} | ${when} |`);
      continue;
    }
    const label = c.label ?? c.dateLabel ?? c.key!;
    const what = c.readonly ? shown : `填写${c.validate?.required ? '（必填 *）' : ''}`;
    out.push(`| ${label} | ${what} | ${c.readonly && c.type !== 'select' && c.type !== 'checklist' ? '' : rule(c)} |`);
  }
  return out;
}

export function staffSection(models: ParsedModel[]): string {
  const tasksOf = (id: string) =>
    models.flatMap((m) =>
      flowNodes(m.process)
        .filter((n) => n.$type === 'bpmn:UserTask' && extension(n, 'zeebe:FormDefinition')?.formId === id)
        .map((n) => n.name as string),
    );
  const parts = [BEGIN, ''];
  for (const file of formFiles()) {
    const id = path.basename(file, '.form');
    const form = loadForm(id)!;
    parts.push(
      `#### \`${id}\` — ${[...new Set(tasksOf(id))].join('、')}`,
      '',
      '| 字段 | 显示 / 填写 | 取值 |',
      '|---|---|---|',
      ...rows(form),
      '',
    );
  }
  parts.push(END);
  return parts.join('\n');
}
