/** Small builders for tests of every folder: a customer, an AP partner, an order. */
import type { DataSource } from 'typeorm';
import { createApPartner, createCustomer, type ApPartnerInput } from '../../domain/parties';
import { createOrder, type CreateOrderInput } from '../../domain/orders';

let seq = 0;
export const CM = 'zhang.san'; // a customer manager

export async function aCustomer(ds: DataSource, name = '上海某某科技有限公司') {
  return createCustomer(ds, { name: `${name}${++seq}`, customerManager: CM }, { actor: 'admin' });
}

export async function anApPartner(ds: DataSource, patch: Partial<ApPartnerInput> = {}) {
  seq++;
  return createApPartner(
    ds,
    {
      name: `AP 供应商 ${seq}`,
      code: `ap-${seq}-${Date.now()}`,
      endpointUrl: 'https://ap.example.com/requests',
      hmacSecret: '0123456789abcdef0123',
      terms: { pricePerAccountMonth: 2.5, slaDuration: 'P10D' },
      ...patch,
    },
    { actor: 'admin' },
  );
}

export async function anOrder(ds: DataSource, patch: Partial<CreateOrderInput> = {}) {
  const customer = patch.customerId ? { id: patch.customerId } : await aCustomer(ds);
  return createOrder(
    ds,
    {
      customerId: customer.id,
      modules: ['learning-management', 'live-training'],
      accounts: 200,
      openingDate: '2026-10-15',
      termMonths: 12,
      amount: 48000,
      apInvolved: false,
      ...patch,
    },
    { actor: CM },
  );
}
