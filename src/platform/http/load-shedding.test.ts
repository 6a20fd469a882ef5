import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { installLoadShedding, MIN_IN_FLIGHT, nextInFlightLimit, type LoadSheddingSettings, type RoutePriority } from './load-shedding.ts';

/**
 * The two admission rules that need no pressure signal (issue 18): the in-flight limit at the front
 * door and the bounded share of checkout. On a bare Fastify server with stand-in routes whose
 * handlers wait until the test lets them finish, so "in flight" is a state the test sets, not a
 * race it hopes to win. The signals themselves: test/load-shedding.test.ts; under real overload:
 * test/overload.test.ts.
 */
const SETTINGS: LoadSheddingSettings = {
  enabled: true,
  // No signal: nothing here is refused for pressure.
  eventLoopDelayMs: 0,
  eventLoopUtilization: 0,
  heapUsedBytes: 0,
  rssBytes: 0,
  retryAfterSeconds: 3,
  sampleIntervalMs: 10,
  warmUpMs: 0,
  maxInFlight: 0,
  inFlightTargetMs: 0,
  boundedConcurrency: 0,
  boundedQueueMs: 0,
};

const PRIORITIES = new Map<string, RoutePriority>([
  ['POST /checkout', 'critical'],
  ['GET /orders/:id', 'critical'],
  ['GET /products/:id', 'browse'],
  ['GET /health', 'exempt'],
]);

/** A server with the stand-in routes and counters of what ran: the session lookup stand-in (a preHandler) and each handler. */
async function serverWith(settings: Partial<LoadSheddingSettings>) {
  const server = Fastify();
  const ran = { onRequest: 0, session: 0, checkout: 0, slow: 0 };
  const gates: Array<() => void> = [];
  /** Resolves when the test calls the gate's release: the request stays in flight until then. */
  const held = () => new Promise<void>((resolve) => gates.push(resolve));
  await installLoadShedding(
    server,
    { ...SETTINGS, ...settings },
    {
      priorities: PRIORITIES,
      bounded: new Set(['POST /checkout']),
      signedIn: (h) => h.authorization !== undefined,
      log: pino({ level: 'silent' }),
    },
  );
  server.addHook('onRequest', async () => void ran.onRequest++);
  const session = async () => void ran.session++;
  server.post('/checkout', { preHandler: session }, async (request) => {
    ran.checkout++;
    if ((request.body as { hold?: boolean } | undefined)?.hold) await held();
    return { placed: true };
  });
  server.get('/slow', async () => {
    ran.slow++;
    await held();
    return { slow: true };
  });
  server.get('/products/:id', async () => ({ product: true }));
  server.get('/orders/:id', async () => ({ order: true }));
  server.get('/health', async () => ({ status: 'ok' }));
  await server.ready();
  // Armed two samples after ready (WARM_UP_SAMPLES x 10 ms); ten times that to spare.
  await new Promise((r) => setTimeout(r, 200));
  return { server, ran, gates, release: () => gates.shift()?.() };
}

const checkout = (server: FastifyInstance, hold: boolean) =>
  server.inject({ method: 'POST', url: '/checkout', headers: { authorization: 'Bearer x' }, payload: { hold } });

/** Until `check` holds, yielding to the event loop: for a request to have reached its handler. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(check(), 'never happened');
}

describe('the bounded share of checkout', () => {
  test('over its share a checkout is refused with 503 + Retry-After before its body, session or handler; a freed place admits the next', async () => {
    const { server, ran, release } = await serverWith({ boundedConcurrency: 2, boundedQueueMs: 0 });
    try {
      const first = checkout(server, true);
      const second = checkout(server, true);
      await until(() => ran.checkout === 2);
      const sessionsBefore = ran.session;

      const refused = await checkout(server, false);
      assert.equal(refused.statusCode, 503, refused.body);
      assert.equal(refused.headers['retry-after'], '3');
      assert.equal(refused.json<{ error: { code: string } }>().error.code, 'OVERLOADED');
      assert.equal(ran.checkout, 2, 'the refused checkout reached its handler');
      assert.equal(ran.session, sessionsBefore, 'the refused checkout had its session looked up');

      // Other critical routes are not bounded by checkout's share.
      assert.equal((await server.inject({ method: 'GET', url: '/orders/1' })).statusCode, 200);

      release();
      assert.equal((await first).statusCode, 200);
      const next = await checkout(server, false);
      assert.equal(next.statusCode, 200, 'a freed place was not given to the next checkout');
      release();
      assert.equal((await second).statusCode, 200);
    } finally {
      await server.close();
    }
  });

  test('a checkout over its share waits for a place, in arrival order, and runs when one frees', async () => {
    const { server, ran, release } = await serverWith({ boundedConcurrency: 1, boundedQueueMs: 60_000 });
    try {
      const first = checkout(server, true);
      await until(() => ran.checkout === 1);
      const order: string[] = [];
      const second = checkout(server, false).then((r) => (order.push('second'), r));
      const third = checkout(server, false).then((r) => (order.push('third'), r));
      // Neither has run: each waits for the one place.
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      assert.equal(ran.checkout, 1);
      release();
      assert.equal((await first).statusCode, 200);
      assert.equal((await second).statusCode, 200);
      assert.equal((await third).statusCode, 200);
      assert.deepEqual(order, ['second', 'third']);
    } finally {
      await server.close();
    }
  });
});

describe('the in-flight limit at the front door', () => {
  let s: Awaited<ReturnType<typeof serverWith>>;
  let address: string;
  before(async () => {
    s = await serverWith({ maxInFlight: 2 });
    address = await s.server.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    while (s.gates.length > 0) s.release();
    await s.server.close();
  });

  test('at the limit anything but critical routes and probes is refused before any hook runs; below it, served again', async () => {
    const held = [fetch(`${address}/slow`), fetch(`${address}/slow`)];
    await until(() => s.ran.slow === 2);
    const hooksBefore = s.ran.onRequest;

    for (const headers of [{}, { authorization: 'Bearer x' }] as Array<Record<string, string>>) {
      const refused = await fetch(`${address}/products/1`, { headers });
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '3');
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'OVERLOADED');
    }
    assert.equal((await fetch(`${address}/slow`)).status, 503, 'a route not in the table');
    assert.equal(s.ran.onRequest, hooksBefore, 'a refused request ran a Fastify hook');
    assert.equal(s.ran.slow, 2);

    // Critical routes and probes pass the limit (and count in it while they run).
    assert.equal((await fetch(`${address}/orders/1`)).status, 200);
    assert.equal((await fetch(`${address}/health`)).status, 200);
    const placed = await fetch(`${address}/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hold: false }),
    });
    assert.equal(placed.status, 200);

    s.release();
    assert.equal((await held[0]!).status, 200);
    assert.equal((await fetch(`${address}/products/1`)).status, 200, 'not served again below the limit');
    s.release();
    assert.equal((await held[1]!).status, 200);
  });
});

describe('the in-flight limit adapts to the time in flight', () => {
  const s = { max: 64, targetMs: 50 };
  test('over the target it loses a tenth a sample, down to its floor; under it, a reached limit grows to the ceiling', () => {
    assert.equal(nextInFlightLimit(64, { completed: 10, totalMs: 10 * 80, peak: 64 }, s), 57);
    let limit = 64;
    for (let i = 0; i < 100; i++) limit = nextInFlightLimit(limit, { completed: 10, totalMs: 10 * 500, peak: limit }, s);
    assert.equal(limit, MIN_IN_FLIGHT);
    assert.equal(nextInFlightLimit(8, { completed: 10, totalMs: 10 * 20, peak: 8 }, s), 9);
    assert.equal(nextInFlightLimit(32, { completed: 10, totalMs: 10 * 20, peak: 32 }, s), 34);
    for (let i = 0; i < 100; i++) limit = nextInFlightLimit(limit, { completed: 10, totalMs: 10 * 20, peak: limit }, s);
    assert.equal(limit, 64);
  });

  test('a limit not reached does not grow, and a sample with nothing finished changes nothing', () => {
    assert.equal(nextInFlightLimit(20, { completed: 10, totalMs: 10 * 20, peak: 12 }, s), 20);
    assert.equal(nextInFlightLimit(20, { completed: 0, totalMs: 0, peak: 20 }, s), 20);
  });
});
