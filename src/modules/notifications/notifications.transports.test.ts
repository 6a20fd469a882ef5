import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { renderEmail } from './notifications.render.ts';
import { MailUnavailableError } from './notifications.resilience.ts';
import { startLocalSmtp, unfold, type LocalSmtp } from './notifications.test-support.ts';
import { createOutboxTransport, createSmtpTransport, type MailTransport } from './notifications.transports.ts';
import type { OrderEmail } from './notifications.types.ts';

const FROM = 'Atelier <orders@atelier.test>';

function email(messageKey: string): OrderEmail {
  return {
    messageKey,
    to: 'ada@example.test',
    kind: 'order-confirmation',
    orderId: '0190f3a2-1c2d-7abc-8def-0123456789ab',
    customerName: 'Ada',
    lines: [{ title: 'Indigo mug', quantity: 2, unitPrice: 1250 }],
    total: 2500,
    currency: 'USD',
  };
}

/** The one contract both transports pass: what was sent can be read back, headers intact. */
function transportContract(name: string, setup: () => { transport: MailTransport; read: (key: string) => Promise<string[]> }): void {
  test(`${name}: delivers one message with From, To, Subject, Message-ID from the key, text and html`, async () => {
    const { transport, read } = setup();
    const key = `order-confirmation:${name}-${Date.now()}`;
    await transport.send(renderEmail(email(key), FROM));
    const messages = await read(key);
    assert.equal(messages.length, 1);
    const raw = unfold(messages[0]!);
    assert.match(raw, /^From: Atelier <orders@atelier\.test>$/m);
    assert.match(raw, /^To: ada@example\.test$/m);
    assert.match(raw, /^Subject: Your Atelier order 456789AB is confirmed$/m);
    assert.ok(raw.includes(`Message-ID: <${key.replace(':', '.')}@atelier.test>`), raw);
    assert.match(raw, /text\/plain/);
    assert.match(raw, /text\/html/);
    assert.match(raw, /Total: 25\.00 USD/);
  });
}

describe('mail transports', () => {
  let dir: string;
  let smtp: LocalSmtp;
  let outbox: MailTransport;
  let smtpTransport: MailTransport;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'atelier-outbox-'));
    smtp = await startLocalSmtp();
    outbox = createOutboxTransport(path.join(dir, 'outbox'));
    smtpTransport = createSmtpTransport(smtp.url);
  });
  after(async () => {
    outbox?.close();
    smtpTransport?.close();
    await smtp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  transportContract('outbox', () => ({
    transport: outbox,
    read: async (key) => {
      const keys = await outbox.listSentKeys();
      assert.ok(keys?.has(key));
      return [await readFile(path.join(dir, 'outbox', `${encodeURIComponent(key)}.eml`), 'utf8')];
    },
  }));
  transportContract('smtp', () => ({
    transport: smtpTransport,
    read: async (key) => smtp.received.map(unfold).filter((m) => m.includes(`X-Atelier-Message-Key: ${key}`)),
  }));

  test('outbox: sending a key twice overwrites one file, leaving no temp files', async () => {
    const key = 'seller-new-order:twice';
    await outbox.send(renderEmail(email(key), FROM));
    await outbox.send(renderEmail(email(key), FROM));
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(path.join(dir, 'outbox'))).filter((f) => f.includes('twice') || f.endsWith('.tmp'));
    assert.deepEqual(files, ['seller-new-order%3Atwice.eml']);
  });
});

describe('SMTP transport failures', () => {
  test('a server that accepts and never greets: the send gives up after timeoutMs, as "try again later"', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const transport = createSmtpTransport(`smtp://127.0.0.1:${port}`, 300);
    const started = performance.now();
    try {
      await assert.rejects(transport.send(renderEmail(email('order-confirmation:silent'), FROM)), MailUnavailableError);
      // nodemailer's own greeting wait is 30 s: ours is what bounds it.
      assert.ok(performance.now() - started < 5000, `gave up after ${(performance.now() - started).toFixed(0)} ms`);
    } finally {
      transport.close();
      silent.close();
    }
  });

  test('nothing listening: refused at once, as "try again later"', async () => {
    const transport = createSmtpTransport('smtp://127.0.0.1:1', 300);
    await assert.rejects(transport.send(renderEmail(email('order-confirmation:refused'), FROM)), MailUnavailableError);
    transport.close();
  });
});
