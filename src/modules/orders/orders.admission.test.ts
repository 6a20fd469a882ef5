import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { createRedisConnections, type RedisConnections } from '../../platform/redis/redis.ts';
import { holdMs, LEASE_MS, memoryLineStore, redisLineStore, type LineStore } from './orders.admission.ts';

/**
 * The line's contract, run against both stores (process memory always, Redis when REDIS_URL is
 * set). Time is passed in, so expiry is decided without waiting.
 */
const PER_POSITION_MS = 10;
const GRACE_MS = 5000;

const redis: RedisConnections | null = process.env.REDIS_URL
  ? createRedisConnections(
      { url: process.env.REDIS_URL, timeoutMs: 2000, keyPrefix: `test-admission-${process.pid}` },
      pino({ level: 'silent' }),
    )
  : null;
before(async () => {
  if (redis) assert.ok(await redis.waitUntilReady(5000), `redis at ${process.env.REDIS_URL} did not answer`);
});
after(async () => {
  await redis?.close();
});

function stores(): Array<{ name: string; make: () => LineStore; skip: string | false }> {
  return [
    { name: 'memory', make: memoryLineStore, skip: false },
    {
      name: 'redis',
      make: () => redisLineStore(redis!),
      skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set: the Redis line store is not tested',
    },
  ];
}

for (const { name, make, skip } of stores()) {
  describe(`checkout line (${name})`, { skip }, () => {
    const arrive = (s: LineStore, v: string, ticket: string, now: number, capacity = 1) =>
      s.arrive(v, ticket, now, capacity, PER_POSITION_MS, GRACE_MS);

    test('first come, first served: places keep their order whoever asks first, and only shrink', async () => {
      const s = make();
      const v = randomUUID();
      const t0 = 1_000_000;
      assert.deepEqual(await arrive(s, v, 'running', t0), { admitted: true, position: 0, waiting: 0 });
      for (const [i, b] of ['b1', 'b2', 'b3', 'b4'].entries()) {
        assert.deepEqual(await arrive(s, v, b, t0 + i), { admitted: false, position: i + 1, waiting: i + 1 });
      }
      // Asking again keeps one's place (the ticket is the customer + Idempotency-Key).
      assert.equal((await arrive(s, v, 'b3', t0 + 10)).position, 3);
      assert.equal((await arrive(s, v, 'b3', t0 + 11)).position, 3);

      await s.leave(v, 'running');
      // The last in line asks first: still behind the others.
      assert.deepEqual(await arrive(s, v, 'b4', t0 + 20), { admitted: false, position: 4, waiting: 4 });
      // A newcomer never overtakes the line, even with a slot free.
      assert.deepEqual(await arrive(s, v, 'late', t0 + 21), { admitted: false, position: 5, waiting: 5 });
      assert.equal((await arrive(s, v, 'b1', t0 + 22)).admitted, true);

      await s.leave(v, 'b1');
      const order: string[] = [];
      const positions: number[] = [];
      for (let round = 0; round < 4; round++) {
        // Everyone still waiting asks, last first; only the head of the line gets in.
        for (const b of ['late', 'b4', 'b3', 'b2']) {
          if (order.includes(b)) continue;
          const d = await arrive(s, v, b, t0 + 30 + round * 10);
          if (d.admitted) order.push(b);
          else if (b === 'late') positions.push(d.position);
        }
        await s.leave(v, order[order.length - 1]!);
      }
      assert.deepEqual(order, ['b2', 'b3', 'b4', 'late']);
      assert.deepEqual(positions, [4, 3, 2]);
    });

    test('with capacity n, any of the first n free places may go first; the rest wait', async () => {
      const s = make();
      const v = randomUUID();
      const t0 = 2_000_000;
      for (const r of ['r1', 'r2', 'r3']) assert.equal((await arrive(s, v, r, t0, 3)).admitted, true);
      for (const [i, b] of ['b1', 'b2', 'b3', 'b4'].entries()) assert.equal((await arrive(s, v, b, t0 + 1 + i, 3)).position, i + 1);
      await s.leave(v, 'r1');
      await s.leave(v, 'r2');
      assert.equal((await arrive(s, v, 'b3', t0 + 10, 3)).admitted, false, 'third in line, two slots free');
      assert.equal((await arrive(s, v, 'b2', t0 + 11, 3)).admitted, true, 'second in line, two slots free');
      assert.deepEqual(await arrive(s, v, 'b3', t0 + 12, 3), { admitted: false, position: 2, waiting: 3 });
      assert.equal((await arrive(s, v, 'b1', t0 + 13, 3)).admitted, true);
    });

    test('a buyer who walks away loses the place once told-to-return plus grace has passed; a dead checkout frees its slot when the lease ends', async () => {
      const s = make();
      const v = randomUUID();
      const t0 = 3_000_000;
      await arrive(s, v, 'running', t0);
      await arrive(s, v, 'gone', t0 + 1);
      await arrive(s, v, 'stays', t0 + 2);
      const goneUntil = t0 + 1 + holdMs(1, PER_POSITION_MS, GRACE_MS);
      // 'stays' keeps asking, so its place lasts; 'gone' never comes back.
      await arrive(s, v, 'stays', goneUntil - 1000);
      assert.deepEqual(await arrive(s, v, 'stays', goneUntil + 1), { admitted: false, position: 1, waiting: 1 });
      // 'running' never finished (its process died): its slot frees when the lease ends.
      assert.equal((await arrive(s, v, 'stays', t0 + LEASE_MS + 1)).admitted, true);
      // 'gone' coming back much later is a newcomer behind whoever waits now.
      assert.equal((await arrive(s, v, 'gone', t0 + LEASE_MS + 2)).position, 1);
    });

    test('the same request again while its checkout runs is let through without a second slot; drop leaves the line', async () => {
      const s = make();
      const v = randomUUID();
      const t0 = 4_000_000;
      await arrive(s, v, 'a', t0);
      assert.equal((await arrive(s, v, 'a', t0 + 1)).admitted, true);
      assert.equal((await arrive(s, v, 'b', t0 + 2)).position, 1);
      assert.equal((await arrive(s, v, 'c', t0 + 3)).position, 2);
      await s.drop(v, 'b');
      assert.equal((await arrive(s, v, 'c', t0 + 4)).position, 1);
      await s.leave(v, 'a');
      assert.equal((await arrive(s, v, 'c', t0 + 5)).admitted, true);
    });
  });
}
