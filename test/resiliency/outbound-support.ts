import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../support/test-app.ts';
import { listFailedJobs } from '../../src/platform/queue/queue.ts';
import { assertInvariants, type InvariantSubject } from '../checkout/invariants.ts';
import { ADDRESS, checkout, lines, signUp, type Accepted, type Actor, type Listing } from '../checkout/support.ts';

/**
 * Helpers shared by the resiliency tests of the outbound dependencies (Redis, the payment
 * provider, SMTP, a seller's webhook endpoint); not itself a test file. Each test puts a fault
 * between Atelier and one dependency, places orders through it, lifts the fault, runs the jobs
 * until they settle, and checks the checkout invariants.
 */

/** Polls until `check` holds; the time it took, or a failure naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs due jobs again and again (retries come due by themselves) until `check` holds. */
export async function drainUntil(t: TestApp, what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  return waitFor(
    what,
    async () => {
      await t.drainJobs();
      return check();
    },
    timeoutMs,
  );
}

/** A client never sees a 5xx: a failing dependency is ours to absorb or answer with a coded 4xx. */
export function assertNo5xx(res: LightMyRequestResponse, what: string): void {
  assert.ok(res.statusCode < 500, `${what}: ${res.statusCode} ${res.body}`);
}

/** Places one order of one unit per buyer; every one must be accepted (202). */
export async function placeOrders(server: FastifyInstance, buyers: ReadonlyArray<Actor>, item: Listing): Promise<string[]> {
  const answers = await Promise.all(
    buyers.map((b) => checkout(server, b, { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS })),
  );
  for (const res of answers) assert.equal(res.statusCode, 202, res.body);
  return answers.map((r) => r.json<Accepted>().order.id);
}

export async function statusesOf(t: TestApp, ids: ReadonlyArray<string>): Promise<Array<string | null>> {
  return Promise.all(ids.map((id) => t.app.orders.service.getOrderStatus(id)));
}

export async function allPaid(t: TestApp, ids: ReadonlyArray<string>): Promise<boolean> {
  return (await statusesOf(t, ids)).every((s) => s === 'paid');
}

/** `n` customers whose accounts live on the same shard database as `sellerId` (so their jobs share a queue). */
export async function buyersBeside(t: TestApp, sellerId: string, n: number): Promise<Actor[]> {
  const db = t.app.stores.shards.forId(sellerId).name;
  const out: Actor[] = [];
  while (out.length < n) {
    const b = await signUp(t.server, 'customer');
    if (t.app.stores.shards.forId(b.id).name === db) out.push(b);
  }
  return out;
}

/** The orders a seller's own list shows (paid sub-orders only, from the per-seller index). */
export async function sellerListed(server: FastifyInstance, seller: Actor): Promise<Set<string>> {
  const res = await server.inject({ method: 'GET', url: '/api/v1/seller/orders?limit=100', headers: seller.headers });
  assertNo5xx(res, 'seller orders');
  assert.equal(res.statusCode, 200, res.body);
  return new Set(res.json<{ items: Array<{ orderId: string }> }>().items.map((i) => i.orderId));
}

/** Every job left on every database (due or not), by task: what is still owed after a fault. */
export async function pendingJobs(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const handle of t.app.stores.all()) {
    const { rows } = await handle.pool.query<{ task: string; n: number }>(
      `select task_identifier as task, count(*)::int as n from graphile_worker.jobs
        where attempts < max_attempts and task_identifier <> 'orders.sweep' group by 1`,
    );
    for (const r of rows) out[r.task] = (out[r.task] ?? 0) + r.n;
  }
  return out;
}

/** The checkout invariants, and nothing left failed for good in any queue. */
export async function assertSettled(subject: InvariantSubject & { app: TestApp['app'] }): Promise<void> {
  await assertInvariants(subject);
  const failed = await listFailedJobs(subject.app.stores.all(), 100);
  assert.deepEqual(
    failed.map((f) => ({ database: f.database, task: f.task, lastError: f.lastError })),
    [],
    'jobs failed for good',
  );
}

/** Counts per key: for "each exactly once" checks on what a receiving server got. */
export function countBy<T>(items: ReadonlyArray<T>, key: (item: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}
