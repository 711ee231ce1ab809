/**
 * Form helpers of the starting pages: the API's field errors (pointer /x) shown under the control named x,
 * and a summary of the rest.
 */
import { ApiProblem } from '../api';
import { h } from '../dom';
import { notice } from '../shell';

const TEXT: [RegExp, string][] = [
  [/^must have required property/, '必填'],
  [/^is required$/, '必填'],
  [/^must be >= (.+)$/, '不能小于 $1'],
  [/^must be <= (.+)$/, '不能大于 $1'],
  [/^must NOT have fewer than (\d+) items$/, '至少选择 $1 项'],
  [/^must match format "date"$/, '日期格式应为 YYYY-MM-DD'],
];
const zh = (d: string) => {
  for (const [re, t] of TEXT) if (re.test(d)) return d.replace(re, t);
  return d;
};

export function showProblem(form: HTMLFormElement, msg: HTMLElement, e: unknown) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  msg.replaceChildren();
  if (!(e instanceof ApiProblem)) {
    msg.append(notice(`提交失败：${(e as Error).message}`, 'error'));
    return;
  }
  if (e.status === 403 || e.status === 401) {
    msg.append(notice(`无权执行此操作（${e.detail}）`, 'error'));
    return;
  }
  if (!e.errors.length) {
    msg.append(notice(`未能保存：${e.detail}`, 'error'));
    return;
  }
  const rest: string[] = [];
  for (const fe of e.errors) {
    const name = fe.pointer.split('/')[1] ?? '';
    const control = name ? form.querySelector<HTMLElement>(`[name="${CSS.escape(name)}"]`) : null;
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      const id = `${control.id || name}-error`;
      control.setAttribute('aria-describedby', id);
      control.closest('.field')?.append(h('p', { class: 'field-error', id }, zh(fe.detail)));
    } else rest.push(`${fe.pointer || '请求'} ${zh(fe.detail)}`);
  }
  msg.append(notice(`未能保存：${rest.length ? rest.join('；') : '请查看标出的字段。'}`, 'error'));
}

export const num = (el: HTMLInputElement) => (el.value.trim() === '' ? undefined : Number(el.value));
