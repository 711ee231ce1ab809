/**
 * Wiring of the notifications in one process: the sender (fan-out + e-mail), the new-work announcer, the
 * admins' watch and the SLA watch,
 * from the configuration (SMTP_URL, MAIL_FROM, PUBLIC_BASE_URL, NOTIFY_TASK_POLL_MS).
 */
import type { DataSource } from 'typeorm';
import type { Config } from '../../platform/config/index';
import type { Clock } from '../../domain/clock';
import { requestText } from '../../platform/http/request-text';
import { createSmtpMailer } from './mailer';
import { startSender, type RunningSender, type SenderLog, type SenderMetrics, type SenderOptions } from './sender';
import { type RestCall, startTaskAnnouncer, type RunningAnnouncer } from './task-announcer';
import { startAdminWatch, type RunningAdminWatch } from './admin-watch';
import type { PollLoop } from './poll-loop';
import { startSlaWatch } from './sla-watch';

export interface Notifications {
  sender: RunningSender;
  announcer: RunningAnnouncer | null;
  /** incidents and the missing calendar year, to the admins (same poll interval as the announcer) */
  adminWatch: RunningAdminWatch | null;
  /** reminders and escalations of the human steps' due dates (domain/sla.json) */
  slaWatch: PollLoop | null;
  stop(): Promise<void>;
}

export interface NotificationWiring {
  dataSource: DataSource;
  config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'PUBLIC_BASE_URL' | 'NOTIFY_TASK_POLL_MS'>;
  clock: Clock;
  /** orchestration REST base URL; omitted: no new-work announcer */
  restAddress?: string;
  restHeaders?: () => Promise<Record<string, string>>;
  log?: SenderLog;
  metrics?: SenderMetrics;
  sender?: Partial<Pick<SenderOptions, 'idleMs' | 'leaseMs' | 'maxAttempts' | 'backOffBaseMs' | 'backOffMaxMs' | 'afterSend'>>;
  announceIntervalMs?: number;
  /** the SLA watch's poll; default the announcer's, at least a minute (a due date is a day's end) */
  slaIntervalMs?: number;
}

export function startNotifications(w: NotificationWiring): Notifications {
  const mailer = w.config.SMTP_URL ? createSmtpMailer({ url: w.config.SMTP_URL, from: w.config.MAIL_FROM }) : null;
  const sender = startSender({
    dataSource: w.dataSource,
    mailer,
    baseUrl: w.config.PUBLIC_BASE_URL,
    log: w.log,
    metrics: w.metrics,
    ...w.sender,
  });
  // one request to the orchestration REST API (its address and credentials) for every poller
  const send = async (method: 'POST' | 'PATCH', path: string, body: unknown) => {
    const headers = { 'content-type': 'application/json', ...(w.restHeaders ? await w.restHeaders() : {}) };
    return requestText(w.restAddress!.replace(/\/$/, '') + path, { method, headers, body: JSON.stringify(body), timeoutMs: 10_000 });
  };
  const rest = async (path: string, body: unknown) => {
    const res = await send('POST', path, body);
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    return JSON.parse(res.text);
  };
  const setDueDate = async (userTaskKey: string, dueDate: string) => {
    const path = `/v2/user-tasks/${encodeURIComponent(userTaskKey)}`;
    const res = await send('PATCH', path, { changeset: { dueDate }, action: 'sla-schedule' });
    // 404: completed meanwhile
    if (res.status !== 204 && res.status !== 404) throw new Error(`PATCH ${path}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
  };
  // the pollers of the orchestration REST API: same source, clock and wake-up of the sender
  const interval = w.announceIntervalMs ?? w.config.NOTIFY_TASK_POLL_MS;
  const poller = <T>(
    start: (o: { dataSource: DataSource; rest: RestCall; clock: Clock; log?: SenderLog; onAnnounced: () => void }) => T,
  ) => (w.restAddress ? start({ dataSource: w.dataSource, rest, clock: w.clock, log: w.log, onAnnounced: () => sender.kick() }) : null);
  const announcer = poller((o) => startTaskAnnouncer({ ...o, intervalMs: interval }));
  const adminWatch = poller((o) => startAdminWatch({ ...o, intervalMs: interval }));
  const slaWatch = poller((o) => startSlaWatch({ ...o, setDueDate, intervalMs: w.slaIntervalMs ?? Math.max(60_000, interval) }));
  return {
    sender,
    announcer,
    adminWatch,
    slaWatch,
    async stop() {
      await slaWatch?.stop();
      await adminWatch?.stop();
      await announcer?.stop();
      await sender.stop();
      mailer?.close();
    },
  };
}
