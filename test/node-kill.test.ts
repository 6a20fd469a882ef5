/**
 * A node killed under checkout load (issue 5): customers keep checking out while an API process
 * of `atelier api --api-processes 2`, and then the separate `atelier worker`, are killed with
 * SIGKILL (no drain, no cleanup) and come back (the cluster's primary replaces its API process;
 * the worker is started again by hand). Then every checkout that was answered 202 ends paid or
 * cleanly failed, none is missing from the database, none was made twice, and the buying path's
 * invariants hold (test/checkout/invariants.ts).
 *
 * Requests in flight on the killed API process fail on the connection. The customers retry a
 * checkout that failed so, with the same Idempotency-Key, as a client should: whether or not the
 * killed process had written the order, the retry must converge to exactly one order.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkInvariants } from './checkout/invariants.ts';
import { atelierChildPids, eventually, freePort, logLines, runAtelier, stopProcess, type RunningProcess } from './support/processes.ts';
import { openShop, runShopperLoad } from './support/shop-over-http.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

const STARTUP_MS = 180_000;
/** How long the accepted orders may take to settle once everything runs again (a busy 2-core machine). */
const SETTLE_MS = 120_000;
const SETTLED = new Set(['paid', 'payment_failed', 'cancelled']);

let t: TestApp;
const running: RunningProcess[] = [];
before(async () => {
  t = await createTestApp();
});
after(async () => {
  for (const p of running) await stopProcess(p, 'SIGKILL').catch(() => undefined);
  await t?.close();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The status of each order id, read from its shard. */
async function statuses(ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const shard of t.app.stores.shards.databases) {
    const { rows } = await shard.pool.query<{ id: string; status: string }>(
      'select id::text, status from orders where id = any($1::uuid[])',
      [ids],
    );
    for (const r of rows) out.set(r.id, r.status);
  }
  return out;
}

/** Every order of these customers, on every shard. */
async function ordersOf(customerIds: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const shard of t.app.stores.shards.databases) {
    const { rows } = await shard.pool.query<{ id: string }>('select id::text from orders where customer_id = any($1::uuid[])', [
      customerIds,
    ]);
    out.push(...rows.map((r) => r.id));
  }
  return out.sort();
}

test(
  'SIGKILL of an API process, then of the worker, under checkout load: every accepted order ends paid or cleanly failed, none lost or doubled',
  { timeout: 500_000 },
  async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      ...t.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      // A job the killed worker held is freed 3 s after its lock, by a sweeper that runs every second.
      JOB_LOCK_TIMEOUT_SECONDS: '3',
      SWEEP_INTERVAL_SECONDS: '1',
      // Overload protection would refuse requests on a busy machine; it is not what is tested.
      SHED_ENABLED: 'false',
      ADMISSION_HOT_CONCURRENCY: '0',
    };
    const start = (args: string[]) => {
      const p = runAtelier(args, env);
      running.push(p);
      return p;
    };
    let worker = start(['worker']);
    const api = start(['api', '--api-processes', '2']);
    await eventually(
      'both API processes to listen',
      async () => (api.output().includes('2 API processes listening') ? true : undefined),
      STARTUP_MS,
      api,
    );

    const shop = await openShop(base, { variants: 3, stock: 100_000, customers: 4 });
    let done = false;
    const load = runShopperLoad({ base, ...shop, readers: 1, freshReaders: 1, checkoutRetries: 20, done: () => done });
    await pause(2000);

    // 1. An API process dies mid-request; its primary starts a replacement, its sibling serves meanwhile.
    const [victim] = await atelierChildPids(api.child.pid!);
    assert.ok(victim, 'an API process to kill');
    process.kill(victim, 'SIGKILL');
    const killedAt = Date.now();
    await eventually(
      'the replacement API process to listen',
      async () => (logLines(api, /^Atelier listening on/).length >= 3 ? true : undefined),
      STARTUP_MS,
      api,
    );
    console.log(`# API process ${victim} killed; its replacement listened ${Date.now() - killedAt} ms later`);
    await pause(1500);

    // 2. The worker dies, maybe mid-charge; checkouts are still accepted and wait in the queue.
    worker.child.kill('SIGKILL');
    await worker.exited;
    await pause(2000);
    worker = start(['worker']);
    await pause(3000);
    done = true;
    const tally = await load;

    const accepted = [...tally.accepted.values()];
    console.log(
      `# ${tally.requests} requests, ${accepted.length} checkouts accepted, ${tally.retried} checkout attempts retried after a connection error, ` +
        `${tally.failures.length} requests failed: ${JSON.stringify(tally.byKind)}`,
    );
    assert.ok(accepted.length > 0, 'checkouts were accepted');
    // What may fail is the connection of a request in flight on the killed process: never an
    // answer (no 5xx), and never a checkout (those are retried with their key).
    const badAnswers = Object.keys(tally.byKind).filter((k) => /\s\d{3}$/.test(k) && !/ (200|202)$/.test(k));
    assert.deepEqual(badAnswers, [], JSON.stringify(tally.byKind));
    assert.deepEqual(
      tally.failures.filter((f) => f.startsWith('POST checkout')),
      [],
      'every checkout converged to an answer through its retries',
    );
    assert.equal(new Set(accepted).size, accepted.length, 'two keys never share an order');

    // Every order answered 202 settles: paid, or cleanly failed.
    const settleStarted = Date.now();
    const final = await eventually(
      'every accepted order to be paid or cleanly failed',
      async () => {
        const now = await statuses(accepted);
        return [...now.values()].every((s) => SETTLED.has(s)) && now.size === accepted.length ? now : undefined;
      },
      SETTLE_MS,
      worker,
    ).catch(async (err: Error) => {
      const now = await statuses(accepted);
      const counts: Record<string, number> = {};
      for (const s of now.values()) counts[s] = (counts[s] ?? 0) + 1;
      throw new Error(`${err.message}\n${now.size}/${accepted.length} found, statuses ${JSON.stringify(counts)}`);
    });
    const counts: Record<string, number> = {};
    for (const s of final.values()) counts[s] = (counts[s] ?? 0) + 1;
    console.log(`# accepted orders settled ${Date.now() - settleStarted} ms after the load ended: ${JSON.stringify(counts)}`);
    assert.ok((counts.paid ?? 0) > 0, 'orders were paid');

    // None lost, none made twice: the customers' orders are exactly those their 202s named (a
    // checkout the killed process wrote before dying was answered to the retry, not written again).
    assert.deepEqual(await ordersOf(shop.customers.map((c) => c.id)), [...accepted].sort());

    // Nothing oversold, each order charged at most once, every paid order emailed once (the
    // follow-up jobs run on the restarted worker: wait for them).
    const problems = await eventually(
      'the invariants to hold',
      async () => {
        const found = await checkInvariants(t);
        return found.length === 0 ? found : undefined;
      },
      60_000,
    ).catch(async () => checkInvariants(t));
    assert.deepEqual(problems, []);
    for (const id of accepted) assert.ok(t.provider.charges().filter((c) => c.reference === id).length <= 1);

    assert.equal(await stopProcess(api), 0, api.output().slice(-4000));
    assert.equal(await stopProcess(worker), 0, worker.output().slice(-4000));
  },
);
