/**
 * A real SMTP server for the mail tests (the `smtp-server` package on a free port of 127.0.0.1), keeping
 * every mail it accepted parsed (mailparser): the tests read what a mailbox would hold.
 *   const smtp = await startSmtpServer();  ... SMTP_URL = smtp.url ...  smtp.mails  ...  await smtp.close();
 * `refuse(address)` answers 550 for that recipient (a permanent failure); `failNext(n)` answers 451 n times.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  messageId: string;
}

export interface TestSmtpServer {
  url: string;
  mails: ReceivedMail[];
  /** mails to one address */
  to(address: string): ReceivedMail[];
  /** resolves when `n` mails in all arrived to `address` (or throws after timeoutMs) */
  waitFor(address: string, n?: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  refuse(address: string): void;
  failNext(times: number): void;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const refused = new Set<string>();
  let transientFailures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (refused.has(address.address)) return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      if (transientFailures > 0) {
        transientFailures--;
        stream.resume();
        stream.on('end', () => cb(Object.assign(new Error('try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream)
        .then((m) => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: m.subject ?? '',
            text: m.text ?? '',
            messageId: m.messageId ?? '',
          });
          cb();
        })
        .catch((e: Error) => cb(e));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server as unknown as { server: { address(): AddressInfo } }).server.address().port;
  const to = (address: string) => mails.filter((m) => m.to.includes(address));
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    to,
    async waitFor(address, n = 1, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (to(address).length < n) {
        if (Date.now() > end) throw new Error(`SMTP test server: ${to(address).length} of ${n} mails to ${address} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return to(address);
    },
    refuse: (address) => refused.add(address),
    failNext: (times) => (transientFailures = times),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
