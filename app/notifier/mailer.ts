/**
 * E-mail through SMTP with nodemailer (SMTP_URL, MAIL_FROM). One pooled transport per process; every
 * mail carries the Message-ID the queue recorded before the send (domain/notifications/email-queue.ts),
 * so a re-send after a crash is the same message.
 */
import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

export interface Mailer {
  /** the domain of generated Message-IDs */
  readonly messageIdDomain: string;
  send(mail: OutgoingMail): Promise<{ response: string }>;
  close(): void;
}

/** an SMTP answer that will not change on a retry (5xx: bad address, refused) */
export function isPermanentSmtpError(e: unknown): boolean {
  const code = (e as { responseCode?: unknown })?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export function createSmtpMailer(opts: { url: string; from: string; timeoutMs?: number }): Mailer {
  const timeout = opts.timeoutMs ?? 15_000;
  // SMTP_URL carries host, port, TLS and credentials; the pool reuses connections between mails
  const transport: Transporter = nodemailer.createTransport({
    url: opts.url,
    pool: true,
    maxConnections: 2,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  const addr = /<([^>]+)>/.exec(opts.from)?.[1] ?? opts.from;
  const messageIdDomain = addr.includes('@') ? addr.slice(addr.lastIndexOf('@') + 1) : 'online-training.local';
  return {
    messageIdDomain,
    async send(m) {
      const info = await transport.sendMail({
        from: opts.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        messageId: m.messageId,
        textEncoding: 'base64',
      });
      return { response: String(info.response ?? '') };
    },
    close: () => transport.close(),
  };
}
