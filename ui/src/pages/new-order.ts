/** 新建业务订单 / 变更单 / 服务请求: the three ways work starts, each posting to its API route. */
import { get, post } from '../api';
import { field, h } from '../dom';
import { SERVICE_MODULE, REQUEST_TYPE } from '../labels';
import { page } from '../shell';
import type { Row } from './case-panel';
import { num, showProblem } from './forms';

const modulesBox = (name: string) =>
  h(
    'fieldset',
    { class: 'field' },
    h('legend', {}, '业务模块'),
    Object.entries(SERVICE_MODULE).map(([id, n]) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', name, value: id }), n)),
  );
const checked = (form: HTMLFormElement, name: string) =>
  [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((x) => x.value);

export async function newOrderPage() {
  const [customers, partners] = await Promise.all([
    get<{ items: Row[] }>('/customers?limit=500'),
    get<{ items: Row[] }>('/ap-partners?limit=500'),
  ]);
  const customer = h(
    'select',
    { name: 'customerId', required: true },
    h('option', { value: '' }, '请选择客户'),
    customers.items.map((c) => h('option', { value: c.id }, c.name)),
  );
  const accounts = h('input', { name: 'accounts', type: 'number', min: 1, required: true });
  const openingDate = h('input', { name: 'openingDate', type: 'date', required: true });
  const termMonths = h('input', { name: 'termMonths', type: 'number', min: 1, max: 240, value: 12, required: true });
  const amount = h('input', { name: 'amount', type: 'number', min: 0, step: '0.01', required: true });
  const ap = h('input', { name: 'apInvolved', type: 'checkbox' });
  const partner = h(
    'select',
    { name: 'apPartnerId', disabled: true },
    h('option', { value: '' }, '请选择 AP 供应商'),
    partners.items.filter((p) => p.status === 'ACTIVE').map((p) => h('option', { value: p.id }, p.name)),
  );
  ap.addEventListener('change', () => {
    partner.disabled = !ap.checked;
  });
  const note = h('textarea', { name: 'note', rows: 3, maxlength: 2000 });
  const msg = h('div', { 'aria-live': 'assertive' });
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        try {
          const o = await post<Row>('/orders', {
            customerId: customer.value,
            modules: checked(form, 'modules'),
            accounts: num(accounts),
            openingDate: openingDate.value,
            termMonths: num(termMonths),
            amount: num(amount),
            apInvolved: ap.checked,
            apPartnerId: ap.checked ? partner.value || undefined : null,
            ...(note.value.trim() ? { note: note.value.trim() } : {}),
          });
          sessionStorage.setItem('ot.flash', `订单 ${o.orderNo} 已提交，开通流程已启动`);
          location.hash = `#/orders/${o.id}`;
        } catch (e) {
          showProblem(form, msg, e);
        }
      },
    },
    field('客户', customer),
    modulesBox('modules'),
    field('账号数', accounts),
    field('开通日期', openingDate),
    field('期限（月）', termMonths),
    field('金额（元）', amount),
    h('div', { class: 'field' }, h('label', { class: 'inline' }, ap, '涉及 AP 供应商')),
    field('AP 供应商', partner),
    field('备注', note),
    h('button', { type: 'submit', class: 'primary' }, '提交订单'),
    msg,
  );
  page('新建业务订单', form);
}

export async function newChangePage() {
  const orders = await get<{ items: Row[] }>('/orders?limit=200&status=COMPLETED');
  const order = h(
    'select',
    { name: 'orderId', required: true },
    h('option', { value: '' }, '请选择已竣工的订单'),
    orders.items.map((o) => h('option', { value: o.id }, `${o.orderNo} ${o.customerName ?? ''}`)),
  );
  const description = h('textarea', { name: 'description', rows: 3, required: true, maxlength: 2000 });
  const accountDelta = h('input', { name: 'accountDelta', type: 'number', value: 0, required: true });
  const amountDelta = h('input', { name: 'amountDelta', type: 'number', step: '0.01' });
  const effectiveDate = h('input', { name: 'effectiveDate', type: 'date' });
  const platform = h('input', { name: 'platformChange', type: 'checkbox' });
  const apScope = h('input', { name: 'apScopeChange', type: 'checkbox' });
  const msg = h('div', { 'aria-live': 'assertive' });
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        const modules = checked(form, 'modules');
        try {
          const c = await post<Row>('/change-orders', {
            orderId: order.value,
            description: description.value.trim(),
            accountDelta: num(accountDelta),
            platformChange: platform.checked,
            apScopeChange: apScope.checked,
            ...(num(amountDelta) !== undefined ? { amountDelta: num(amountDelta) } : {}),
            ...(effectiveDate.value ? { effectiveDate: effectiveDate.value } : {}),
            ...(modules.length ? { modules } : {}),
          });
          sessionStorage.setItem('ot.flash', `变更单 ${c.changeOrderNo} 已提交`);
          location.hash = `#/orders/${order.value}`;
        } catch (e) {
          showProblem(form, msg, e);
        }
      },
    },
    field('订单', order),
    field('变更内容', description),
    field('账号数增减', accountDelta),
    field('金额增减（元）', amountDelta),
    field('生效日期', effectiveDate),
    modulesBox('modules'),
    h('div', { class: 'field' }, h('label', { class: 'inline' }, platform, '需要技术部调整平台配置')),
    h('div', { class: 'field' }, h('label', { class: 'inline' }, apScope, 'AP 实施范围变化')),
    h('button', { type: 'submit', class: 'primary' }, '提交变更单'),
    msg,
  );
  page('新建变更单', form);
}

export async function newServiceRequestPage(params: URLSearchParams) {
  const orders = await get<{ items: Row[] }>('/orders?limit=200');
  const order = h(
    'select',
    { name: 'orderId', required: true },
    h('option', { value: '' }, '请选择订单'),
    orders.items.map((o) => h('option', { value: o.id, selected: o.id === params.get('orderId') }, `${o.orderNo} ${o.customerName ?? ''}`)),
  );
  const type = h(
    'select',
    { name: 'type', required: true },
    Object.entries(REQUEST_TYPE).map(([k, v]) => h('option', { value: k }, v)),
  );
  const description = h('textarea', { name: 'description', rows: 4, required: true, maxlength: 4000 });
  const msg = h('div', { 'aria-live': 'assertive' });
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        try {
          const r = await post<Row>('/service-requests', { type: type.value, orderId: order.value, description: description.value.trim() });
          sessionStorage.setItem('ot.flash', `服务请求 ${r.requestNo} 已登记`);
          location.hash = `#/orders/${order.value}`;
        } catch (e) {
          showProblem(form, msg, e);
        }
      },
    },
    field('类型', type),
    field('订单', order),
    field('描述', description),
    h('button', { type: 'submit', class: 'primary' }, '登记'),
    msg,
  );
  page('新建服务请求（投诉、故障、咨询）', form);
}
