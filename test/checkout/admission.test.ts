import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { loadConfig } from '../../src/app/config.ts';
import { createContainer } from '../../src/app/container.ts';
import { buildHttpServer } from '../../src/app/http.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { assertInvariants } from './invariants.ts';
import { ADDRESS, checkout, lines, listing, signUpMany, type Actor } from './support.ts';

/**
 * The checkout line of a hot variant (issue 5) through HTTP: first come first served with
 * positions and waits, a flash sale through the line, one line across two nodes sharing Redis,
 * and checkout going on when Redis is unreachable. In-flight checkouts are held where a real
 * flash sale holds them, on the stock row (a test transaction locks it), so who is in flight is
 * known without timing.
 */
type Queued = { status: string; variantId: string; position: number; estimatedWaitSeconds: number; retryAfterMs: number };

function queued(res: LightMyRequestResponse): Queued {
  assert.equal(res.statusCode, 429, res.body);
  const body = res.json<{ error: { code: string; details: Queued } }>();
  assert.equal(body.error.code, 'ORDERS_CHECKOUT_QUEUED');
  assert.ok(Number(res.headers['retry-after']) >= 1, `Retry-After: ${String(res.headers['retry-after'])}`);
  assert.equal(body.error.details.status, 'queued');
  assert.ok(body.error.details.estimatedWaitSeconds > 0 && body.error.details.retryAfterMs > 0, res.body);
  return body.error.details;
}

/** Locks the variant's stock row until the returned function is called: checkouts of it wait there, in flight. */
async function holdStockRow(t: TestApp, variantId: string): Promise<() => Promise<void>> {
  const client = await t.app.stores.catalog.pool.connect();
  await client.query('begin');
  await client.query('select 1 from inventory_stock where variant_id = $1 for update', [variantId]);
  return async () => {
    await client.query('commit');
    client.release();
  };
}

/** Until `n` statements of the catalog database wait for a row lock (the blocked checkouts are in flight). */
async function waitForLockWaiters(t: TestApp, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await t.app.stores.catalog.pool.query<{ n: number }>(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
    );
    if (rows[0]!.n >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${rows[0]!.n} of ${n} checkouts reached the stock row`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const buyNow = (variantId: string) => ({ lines: lines([variantId, 1]), shippingAddress: ADDRESS });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** For the enclosing describe: an app with these settings and `n` buyers signed up, closed after it. */
function appWithBuyers(settings: Record<string, string>, n: number): { t: TestApp; buyers: Actor[] } {
  const ctx = {} as { t: TestApp; buyers: Actor[] };
  before(async () => {
    ctx.t = await createTestApp(settings);
    ctx.buyers = await signUpMany(ctx.t.server, n);
  });
  after(() => ctx.t?.close());
  return ctx;
}

describe('one process, line in memory, one checkout of a variant at a time', () => {
  const ctx = appWithBuyers({ ADMISSION_HOT_CONCURRENCY: '1' }, 6);

  test('first come, first served: positions in arrival order, kept by the Idempotency-Key, shrinking; sold out answers 409 at once', async () => {
    const { t, buyers } = ctx;
    const item = await listing(t, [{ price: 1500, stock: 3 }]);
    const variantId = item.variantIds[0]!;
    const [first, ...waiting] = buyers as [Actor, ...Actor[]];
    const keys = waiting.map(() => randomUUID());

    const release = await holdStockRow(t, variantId);
    const running = checkout(t.server, first, buyNow(variantId));
    await waitForLockWaiters(t, 1);
    for (const [i, b] of waiting.entries()) {
      const place = queued(await checkout(t.server, b, buyNow(variantId), keys[i]!));
      assert.equal(place.position, i + 1);
      assert.equal(place.variantId, variantId);
    }
    // The same request again keeps its place; nothing was written for a waiting buyer.
    assert.equal(queued(await checkout(t.server, waiting[2]!, buyNow(variantId), keys[2]!)).position, 3);
    // Later positions are told to wait longer.
    const w1 = queued(await checkout(t.server, waiting[0]!, buyNow(variantId), keys[0]!));
    const w5 = queued(await checkout(t.server, waiting[4]!, buyNow(variantId), keys[4]!));
    assert.ok(w5.estimatedWaitSeconds > w1.estimatedWaitSeconds, `${w5.estimatedWaitSeconds} vs ${w1.estimatedWaitSeconds}`);
    await release();
    assert.equal((await running).statusCode, 202);

    // Rounds: everyone still waiting asks again, the last in line first. Only the head gets in.
    const final = new Map<number, { round: number; res: LightMyRequestResponse }>();
    const lastPositions: number[] = [];
    let firstAccepted: LightMyRequestResponse | null = null;
    for (let round = 0; final.size < waiting.length && round < 10; round++) {
      for (let i = waiting.length - 1; i >= 0; i--) {
        if (final.has(i)) continue;
        const res = await checkout(t.server, waiting[i]!, buyNow(variantId), keys[i]!);
        if (res.statusCode === 429) {
          const place = queued(res);
          if (i === waiting.length - 1) lastPositions.push(place.position);
        } else final.set(i, { round, res });
      }
      if (round === 0) {
        firstAccepted = final.get(0)!.res;
        // A repeat of an accepted checkout while others wait is that order again, not a place in line.
        const again = await checkout(t.server, waiting[0]!, buyNow(variantId), keys[0]!);
        assert.equal(again.statusCode, 202);
        assert.equal(again.body, firstAccepted.body);
      }
      // A sold-out reading is reused for a quarter second: wait past it, so the next round reads again.
      await sleep(300);
    }
    assert.deepEqual(
      [...final.entries()].sort(([a], [b]) => a - b).map(([i, f]) => [i, f.round, f.res.statusCode]),
      [
        [0, 0, 202],
        [1, 1, 202],
        // Stock 3 is gone: everyone still in line gets the 409 in the same round, not at their turn.
        [2, 2, 409],
        [3, 2, 409],
        [4, 2, 409],
      ],
    );
    for (const i of [2, 3, 4]) assert.equal(final.get(i)!.res.json<{ error: { code: string } }>().error.code, 'INVENTORY_OUT_OF_STOCK');
    assert.deepEqual(lastPositions, [5, 4]);

    await t.drainJobs();
    const [level] = await t.app.inventory.service.levels([variantId]);
    assert.deepEqual({ sold: level!.sold, reserved: level!.reserved }, { sold: 3, reserved: 0 });
    await assertInvariants(t);
  });
});

describe('a flash sale through the line', () => {
  const ctx = appWithBuyers({ ADMISSION_HOT_CONCURRENCY: '4' }, 200);

  test('200 buyers, stock 40: exactly 40 paid, 160 get 409, nobody is refused by the line, nothing left reserved', async () => {
    const { t, buyers } = ctx;
    const item = await listing(t, [{ price: 2500, stock: 40 }]);
    const variantId = item.variantIds[0]!;
    const deadline = Date.now() + 90_000;
    let queuedAnswers = 0;
    // Every fourth buyer follows the Retry-After header (whole seconds); the others the finer retryAfterMs.
    const buyer = async (b: Actor, i: number): Promise<LightMyRequestResponse> => {
      const key = randomUUID();
      for (;;) {
        const res = await checkout(t.server, b, buyNow(variantId), key);
        if (res.statusCode !== 429) return res;
        const place = queued(res);
        queuedAnswers++;
        if (Date.now() > deadline) throw new Error(`buyer ${i} still in line at position ${place.position} after 90 s`);
        await sleep(i % 4 === 0 ? Number(res.headers['retry-after']) * 1000 : place.retryAfterMs);
      }
    };
    const answers = await Promise.all(buyers.map((b, i) => buyer(b, i)));

    const byStatus = new Map<string, number>();
    for (const a of answers) {
      const key = a.statusCode === 202 ? '202' : `${a.statusCode} ${a.json<{ error: { code: string } }>().error.code}`;
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(byStatus), { '202': 40, '409 INVENTORY_OUT_OF_STOCK': 160 });
    assert.ok(queuedAnswers > 0, 'the line never engaged: the test did not test it');

    await t.drainJobs();
    const [level] = await t.app.inventory.service.levels([variantId]);
    assert.deepEqual({ onHand: level!.onHand, sold: level!.sold, reserved: level!.reserved }, { onHand: 40, sold: 40, reserved: 0 });
    assert.equal(t.provider.charges().length, 40);
    await assertInvariants(t);
  });
});

describe(
  'two nodes sharing Redis: one line',
  { skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set: the shared line is not tested' },
  () => {
    let t: TestApp;
    let nodeB: { server: FastifyInstance; close(): Promise<void> };
    let buyers: Actor[];
    before(async () => {
      t = await createTestApp({
        REDIS_URL: process.env.REDIS_URL!,
        REDIS_KEY_PREFIX: `test-line-${process.pid}-${Date.now().toString(36)}`,
        ADMISSION_HOT_CONCURRENCY: '1',
      });
      const app = await createContainer(loadConfig(t.env), { role: 'test-b', migrate: false, log: pino({ level: 'silent' }) });
      const server = await buildHttpServer(app);
      await server.ready();
      nodeB = {
        server,
        async close() {
          await server.close();
          await app.close();
        },
      };
      buyers = await signUpMany(t.server, 3);
    });
    after(async () => {
      await nodeB?.close();
      await t?.close();
    });

    test('a checkout running on node A makes node B queue; places hold whichever node is asked', async () => {
      const item = await listing(t, [{ price: 900, stock: 5 }]);
      const variantId = item.variantIds[0]!;
      const [runner, b1, b2] = buyers as [Actor, Actor, Actor];
      const [k1, k2] = [randomUUID(), randomUUID()];

      const release = await holdStockRow(t, variantId);
      const running = checkout(t.server, runner, buyNow(variantId));
      await waitForLockWaiters(t, 1);
      assert.equal(queued(await checkout(nodeB.server, b1, buyNow(variantId), k1)).position, 1);
      assert.equal(queued(await checkout(t.server, b2, buyNow(variantId), k2)).position, 2);
      assert.equal(queued(await checkout(t.server, b1, buyNow(variantId), k1)).position, 1);
      await release();
      assert.equal((await running).statusCode, 202);

      assert.equal(queued(await checkout(nodeB.server, b2, buyNow(variantId), k2)).position, 2);
      assert.equal((await checkout(nodeB.server, b1, buyNow(variantId), k1)).statusCode, 202);
      assert.equal((await checkout(t.server, b2, buyNow(variantId), k2)).statusCode, 202);
      await t.drainJobs();
      await assertInvariants(t);
    });
  },
);

describe('Redis unreachable', () => {
  // Nothing listens on port 1: every Redis command fails at once.
  const ctx = appWithBuyers({ REDIS_URL: 'redis://127.0.0.1:1', ADMISSION_HOT_CONCURRENCY: '1' }, 3);

  test('checkout works, and the process keeps a line of its own meanwhile', async () => {
    const { t, buyers } = ctx;
    const item = await listing(t, [{ price: 700, stock: 5 }]);
    const variantId = item.variantIds[0]!;
    const [a, b, c] = buyers as [Actor, Actor, Actor];
    assert.equal((await checkout(t.server, a, buyNow(variantId))).statusCode, 202);

    const release = await holdStockRow(t, variantId);
    const running = checkout(t.server, b, buyNow(variantId));
    await waitForLockWaiters(t, 1);
    const key = randomUUID();
    assert.equal(queued(await checkout(t.server, c, buyNow(variantId), key)).position, 1);
    await release();
    assert.equal((await running).statusCode, 202);
    assert.equal((await checkout(t.server, c, buyNow(variantId), key)).statusCode, 202);
    await t.drainJobs();
    await assertInvariants(t);
  });
});
