import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { messageKeyOfFile, outboxFileName } from './notifications.render.ts';
import { MailUnavailableError } from './notifications.resilience.ts';
import type { RenderedEmail } from './notifications.types.ts';

/**
 * How a rendered email leaves: two real adapters, SMTP (production) and an outbox folder (the
 * default, and what tests and the load lab read), both built on nodemailer so the bytes are the
 * same. Both pass the contract in notifications.transports.test.ts. Deliberately left out:
 * bounces, attachments, templates beyond plain text plus simple HTML.
 */
export interface MailTransport {
  /**
   * True when sending the same message key twice yields one message by construction (the outbox
   * overwrites the file). When false, the caller keeps a sent log to avoid a second send.
   */
  readonly idempotentPerKey: boolean;
  send(message: RenderedEmail): Promise<void>;
  /** Keys of the messages this transport itself can list, or null when it cannot (SMTP). */
  listSentKeys(): Promise<ReadonlySet<string> | null>;
  close(): void;
}

function mailOptions(message: RenderedEmail): SendMailOptions {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    headers: { 'X-Atelier-Message-Key': message.messageKey },
  };
}

/** Writes each message as `<outboxDir>/<encoded message key>.eml`; a re-send overwrites. */
export function createOutboxTransport(outboxDir: string): MailTransport {
  const render = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let ready: Promise<unknown> | null = null;
  return {
    idempotentPerKey: true,
    async send(message) {
      ready ??= mkdir(outboxDir, { recursive: true });
      await ready;
      const info = await render.sendMail(mailOptions(message));
      const final = path.join(outboxDir, outboxFileName(message.messageKey));
      // Temp file then rename: a reader (or a crash) never sees half a message.
      const temp = path.join(outboxDir, `.${randomBytes(8).toString('hex')}.tmp`);
      try {
        await writeFile(temp, info.message as Buffer);
        await rename(temp, final);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    async listSentKeys() {
      const names = await readdir(outboxDir).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [] as string[];
        throw err;
      });
      const keys = new Set<string>();
      for (const n of names) {
        const key = messageKeyOfFile(n);
        if (key !== null) keys.add(key);
      }
      return keys;
    },
    close: () => render.close(),
  };
}

/**
 * Sends through the SMTP server in `smtpUrl` (smtp:// or smtps://), each wait bounded by
 * `timeoutMs`. A failure to hand the message over is a MailUnavailableError (retry later), unless
 * the server answered 5xx: it refused this message for good, and that error is thrown as it is.
 */
export function createSmtpTransport(smtpUrl: string, timeoutMs = 10_000): MailTransport {
  // A mail server that hangs must not hold a worker slot for minutes (nodemailer's defaults). The
  // limits go in the URL's query: given a `url`, nodemailer's createTransport reads that URL alone
  // and drops every other option passed beside it (so they once silently fell back to its 30 s
  // greeting and 10 min socket waits).
  const url = new URL(smtpUrl);
  for (const limit of ['connectionTimeout', 'greetingTimeout', 'socketTimeout']) url.searchParams.set(limit, String(timeoutMs));
  const smtp = nodemailer.createTransport(url.toString());
  return {
    idempotentPerKey: false,
    async send(message) {
      try {
        await smtp.sendMail(mailOptions(message));
      } catch (err) {
        const code = (err as { responseCode?: unknown }).responseCode;
        if (typeof code === 'number' && code >= 500) throw err;
        throw new MailUnavailableError(`smtp: ${(err as Error).message}`, { cause: err });
      }
    },
    listSentKeys: async () => null,
    close: () => smtp.close(),
  };
}
