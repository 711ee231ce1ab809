import { EntitySchema } from 'typeorm';
import { col } from './columns';
import type { ApPartnerStatus } from './types';

export interface Customer {
  id: string;
  name: string;
  /** the customer's own code (e.g. unified social credit code), unique when present */
  code: string | null;
  contactName: string | null;
  contactPhone: string | null;
  /** user name of the customer manager in charge */
  customerManager: string | null;
  createdAt: Date;
  updatedAt: Date;
}
export const CustomerEntity = new EntitySchema<Customer>({
  name: 'Customer',
  tableName: 'customer',
  columns: {
    id: col.uuidPk(),
    name: col.str(200),
    code: col.str(64, true),
    contactName: col.str(100, true),
    contactPhone: col.str(50, true),
    customerManager: col.actor(true),
    createdAt: col.at(),
    updatedAt: col.at(),
  },
  indices: [{ name: 'UQ_customer_code', columns: ['code'], unique: true }],
});

/** Commercial terms of an AP partner (JSON). */
export interface ApTerms {
  /** unit price per account and month, yuan */
  pricePerAccountMonth?: number;
  /** SLA for implementation as ISO-8601 duration, default config AP_SLA_DURATION */
  slaDuration?: string;
  paymentDays?: number;
  note?: string;
  [k: string]: unknown;
}
export interface ApPartner {
  id: string;
  name: string;
  code: string;
  /** the AP's endpoint receiving implementation requests */
  endpointUrl: string;
  /** shared secret for HMAC signatures in both directions */
  hmacSecret: string;
  status: ApPartnerStatus;
  /** null: no terms agreed yet (expense-contract.draft then throws AP_PARTNER_UNAVAILABLE) */
  terms: ApTerms | null;
  createdAt: Date;
  updatedAt: Date;
}
export const ApPartnerEntity = new EntitySchema<ApPartner>({
  name: 'ApPartner',
  tableName: 'ap_partner',
  columns: {
    id: col.uuidPk(),
    name: col.str(200),
    code: col.str(64),
    endpointUrl: col.str(500),
    hmacSecret: col.str(200),
    status: col.str(16),
    terms: col.json(true),
    createdAt: col.at(),
    updatedAt: col.at(),
  },
  indices: [{ name: 'UQ_ap_partner_code', columns: ['code'], unique: true }],
});

/** Users known to the system (local auth mode; in OIDC mode a directory of display names/AP links). */
export interface AppUser {
  username: string;
  displayName: string;
  /** role ids of vocabulary ROLES */
  roles: string[];
  /** for role ap-partner: the partner this user acts for */
  apPartnerId: string | null;
  /** local auth mode only (scrypt hash) */
  passwordHash: string | null;
  active: boolean;
  /** where notifications are mailed (null: in-app only) */
  email: string | null;
  /** the user chose to get notifications by e-mail as well (on for the demo users) */
  emailOptIn: boolean;
  createdAt: Date;
  updatedAt: Date;
}
export const AppUserEntity = new EntitySchema<AppUser>({
  name: 'AppUser',
  tableName: 'app_user',
  columns: {
    username: { type: 'varchar', length: 128, primary: true },
    displayName: col.str(200),
    roles: col.json(),
    apPartnerId: col.uuid(true),
    passwordHash: col.str(255, true),
    active: col.bool(),
    email: col.str(254, true),
    emailOptIn: col.bool(),
    createdAt: col.at(),
    updatedAt: col.at(),
  },
});
