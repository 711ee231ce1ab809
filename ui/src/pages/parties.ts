/**
 * Customers 客户 and AP partners AP供应商: a list, a page per record, and for the admin the add / edit form
 * (the same page). The AP's HMAC secret is write-only: blank keeps the current one.
 */
import { get, patch, post } from '../api';
import { facts, field, h } from '../dom';
import { dateTime } from '../format';
import { notice, page } from '../shell';
import { may, type Me } from '../user';
import type { Row } from './case-panel';
import { showProblem } from './forms';

interface Kind {
  path: string;
  title: string;
  one: string;
  columns: [string, string][];
  fields: {
    name: string;
    label: string;
    type?: string;
    required?: boolean;
    create?: boolean;
    options?: [string, string][];
    hint?: string;
  }[];
}
export const CUSTOMERS: Kind = {
  path: 'customers',
  title: '客户',
  one: '客户',
  columns: [
    ['name', '名称'],
    ['code', '代码'],
    ['contactName', '联系人'],
    ['contactPhone', '电话'],
    ['customerManager', '客户经理'],
  ],
  fields: [
    { name: 'name', label: '名称', required: true },
    { name: 'code', label: '代码' },
    { name: 'contactName', label: '联系人' },
    { name: 'contactPhone', label: '电话' },
    { name: 'customerManager', label: '客户经理（用户名）' },
  ],
};
export const AP_PARTNERS: Kind = {
  path: 'ap-partners',
  title: 'AP 供应商',
  one: 'AP 供应商',
  columns: [
    ['name', '名称'],
    ['code', '代码'],
    ['status', '状态'],
    ['endpointUrl', '实施请求地址'],
  ],
  fields: [
    { name: 'name', label: '名称', required: true },
    { name: 'code', label: '代码（小写字母、数字、-）', required: true, create: true },
    { name: 'endpointUrl', label: '实施请求地址（签名 Webhook）', type: 'url', required: true },
    { name: 'hmacSecret', label: '签名密钥（至少 16 位）', type: 'password', hint: '修改时留空表示不变' },
    {
      name: 'status',
      label: '状态',
      options: [
        ['ACTIVE', '合作中'],
        ['SUSPENDED', '已暂停'],
      ],
    },
  ],
};

export async function partyListPage(me: Me, k: Kind) {
  const r = await get<{ items: Row[] }>(`/${k.path}?limit=500`).catch((e: Error) => e);
  if (r instanceof Error) return page(k.title, notice(`加载失败：${r.message}`, 'error'));
  page(
    k.title,
    may.editParties(me) ? h('p', {}, h('a', { class: 'button', href: `#/${k.path}/new` }, `新增${k.one}`)) : null,
    h(
      'table',
      { class: 'list', 'aria-label': k.title },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          k.columns.map(([, l]) => h('th', { scope: 'col' }, l)),
        ),
      ),
      h(
        'tbody',
        {},
        r.items.map((x) =>
          h(
            'tr',
            {},
            k.columns.map(([c, l], i) =>
              h('td', { 'data-label': l }, i === 0 ? h('a', { href: `#/${k.path}/${x.id}` }, String(x[c] ?? '—')) : String(x[c] ?? '—')),
            ),
          ),
        ),
      ),
    ),
  );
}

export async function partyPage(me: Me, k: Kind, id: string) {
  const creating = id === 'new';
  const rec: Row = creating ? {} : await get<Row>(`/${k.path}/${id}`);
  const view = creating
    ? null
    : h(
        'section',
        { class: 'card' },
        facts([...k.columns.map(([c, l]): [string, string] => [l, String(rec[c] ?? '—')]), ['更新时间', dateTime(rec.updatedAt)]]),
      );
  if (!may.editParties(me)) return page(`${k.one} ${rec.name}`, view);
  const msg = h('div', { 'aria-live': 'assertive' });
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const rows = k.fields
    .filter((f) => creating || !f.create)
    .map((f) => {
      const c = f.options
        ? h(
            'select',
            { name: f.name },
            f.options.map(([v, l]) => h('option', { value: v, selected: rec[f.name] === v }, l)),
          )
        : h('input', {
            name: f.name,
            type: f.type ?? 'text',
            value: f.type === 'password' ? '' : (rec[f.name] ?? ''),
            required: !!f.required,
          });
      controls.set(f.name, c);
      return field(f.label, c, f.hint);
    });
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        const body: Row = {};
        for (const [name, c] of controls) {
          const v = c.value.trim();
          if (v !== '') body[name] = v;
          else if (
            !creating &&
            name !== 'hmacSecret' &&
            rec[name] !== null &&
            rec[name] !== undefined &&
            k === CUSTOMERS &&
            name !== 'name'
          )
            body[name] = null;
        }
        try {
          const saved = creating ? await post<Row>(`/${k.path}`, body) : await patch<Row>(`/${k.path}/${id}`, body);
          sessionStorage.setItem('ot.flash', `${k.one}已保存：${saved.name}`);
          location.hash = `#/${k.path}/${saved.id}`;
          if (!creating) void partyPage(me, k, id);
        } catch (e) {
          showProblem(form, msg, e);
        }
      },
    },
    h('h2', {}, creating ? `新增${k.one}` : '修改'),
    rows,
    h('button', { type: 'submit', class: 'primary' }, '保存'),
    msg,
  );
  const flash = sessionStorage.getItem('ot.flash');
  sessionStorage.removeItem('ot.flash');
  page(creating ? `新增${k.one}` : `${k.one} ${rec.name}`, flash ? notice(flash, 'ok') : null, view, form);
}
