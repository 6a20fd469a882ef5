import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { createTestApp, type TestApp } from '../../test/support/test-app.ts';
import { startWorkerRole } from './worker.ts';

let t: TestApp;
before(async () => {
  // The defaults of the isolated pools (webhooks 4, email 2, media 2) and then more than the old
  // queue pool of 2, so each pool's settings are what starts its runners.
  t = await createTestApp({ WEBHOOKS_CONCURRENCY: '4', MAIL_CONCURRENCY: '6', MEDIA_CONCURRENCY: '3' });
});
after(() => t?.close());

test("starting the worker role logs no warning: every runner's pool may open as many connections as its concurrency", async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = pino({ level: 'warn' }, sink);
  const workers = await startWorkerRole({ ...t.app, log });
  try {
    // graphile-worker checks each runner's pool as the runner starts; give late ones a moment.
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    await workers.stop();
  }
  // It used to print "maxPoolSize (2) smaller than concurrency (4)" once per database.
  assert.deepEqual(
    lines.filter((l) => /smaller than concurrency/.test(l)),
    [],
  );
  assert.deepEqual(lines, [], 'no warning at all at start');
});
