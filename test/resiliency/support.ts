import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { assertInvariants } from '../checkout/invariants.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { adminUrl, type TestApp } from '../support/test-app.ts';

/**
 * Helpers shared by the resiliency matrix tests (docs/resiliency.md); not itself a test file.
 * Every fault is a real one: a fault proxy (test/support/fault-proxy.ts) sits between the app and
 * one database of the test server, and the app's URL for that database names the proxy.
 */

/** A fault proxy in front of the PostgreSQL server `npm test` started. */
export function proxyToTestServer(): Promise<FaultProxy> {
  const u = new URL(adminUrl());
  return startFaultProxy({ host: u.hostname, port: Number(u.port) });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(100);
  }
}

/** A 503 that tells the client when to come back, with a coded body: what every refusal here must be. */
export function assertUnavailable(res: LightMyRequestResponse, what: string): void {
  assert.equal(res.statusCode, 503, `${what}: ${res.statusCode} ${res.body}`);
  assert.ok(Number(res.headers['retry-after']) > 0, `${what}: 503 without Retry-After`);
  const code = (res.json() as { error?: { code?: unknown } }).error?.code;
  assert.equal(typeof code, 'string', `${what}: 503 without an error code: ${res.body}`);
}

/**
 * Every answer is either one of `ok` or a clean 503 (Retry-After, a code): a 500 is a bug, and so
 * is any other status a fault produced. Returns how many were refused.
 */
export function assertOkOrUnavailable(
  answers: ReadonlyArray<{ what: string; res: LightMyRequestResponse }>,
  ok: readonly number[],
): number {
  let refused = 0;
  for (const { what, res } of answers) {
    if (res.statusCode === 503) {
      assertUnavailable(res, what);
      refused++;
    } else {
      assert.ok(ok.includes(res.statusCode), `${what}: ${res.statusCode} ${res.body}`);
    }
  }
  return refused;
}

/**
 * After a fault: the dependency is back, the app can reach it again (`reachable`), every queued
 * job has run, and the checkout invariants hold (nothing oversold, charged twice or lost); with
 * `stock`, also that variant's stock is held by accepted orders only (assertStockHeldByAcceptedOrders).
 */
export async function recoverAndCheck(
  t: TestApp,
  proxy: FaultProxy,
  reachable: () => Promise<boolean>,
  stock?: Readonly<{ variantId: string; accepted: ReadonlySet<string> }>,
): Promise<void> {
  proxy.set({ kind: 'up' });
  await waitFor('the app reaches the database again', reachable);
  await t.drainJobs();
  await assertInvariants(t);
  if (stock) await assertStockHeldByAcceptedOrders(t, stock.variantId, stock.accepted);
}

/**
 * Nothing lost and nothing half-written, for one variant every order bought one unit of: every
 * accepted order exists, the shards hold no order no client was given, and every unit reserved or
 * sold belongs to an accepted order that still holds it (a refused checkout released what it had
 * reserved). A checkout whose commit was cut off and whose fate could not be checked keeps its
 * reservation for the sweeper (orders.checkout.ts), so the sweep that would run once reservations
 * expire (the app's RESERVATION_TTL_SECONDS from now) runs first.
 */
export async function assertStockHeldByAcceptedOrders(t: TestApp, variantId: string, accepted: ReadonlySet<string>): Promise<void> {
  const expired = Date.now() + (t.app.config.checkout.reservationTtlSeconds + 1) * 1000;
  await t.app.orders.service.sweep(new Date(expired));
  const statuses = new Map<string, string | null>();
  for (const id of accepted) statuses.set(id, await t.app.orders.service.getOrderStatus(id));
  const lost = [...statuses].filter(([, status]) => status === null);
  assert.deepEqual(lost, [], 'accepted orders missing');
  let stored = 0;
  for (const shard of t.app.stores.shards.databases) {
    stored += (await shard.pool.query<{ n: number }>('select count(*)::int as n from orders')).rows[0]!.n;
  }
  assert.equal(stored, accepted.size, 'orders on the shards that no client was given');
  const holding = [...statuses.values()].filter((s) => s !== 'payment_failed' && s !== 'cancelled').length;
  const [level] = await t.app.inventory.service.levels([variantId]);
  assert.equal(level!.reserved + level!.sold, holding, `${JSON.stringify(level)} ${JSON.stringify([...statuses.values()])}`);
}

/** Keeps the ids of the orders a checkout answer accepted (202); a replay names the same order. */
export function acceptedOrders(): { ids: Set<string>; note(res: LightMyRequestResponse): LightMyRequestResponse } {
  const ids = new Set<string>();
  return {
    ids,
    note(res) {
      if (res.statusCode === 202) ids.add((res.json() as { order: { id: string } }).order.id);
      return res;
    },
  };
}
