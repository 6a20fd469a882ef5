import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { newCustomerId, newShardedId, shardOfId } from '../../shared/ids.ts';
import { createPayments, type PaymentsService } from './index.ts';

/** A new order id on some customer's shard, as checkout mints it. */
function orderId(): string {
  return newShardedId(shardOfId(newCustomerId(16)));
}

describe('payments service against the simulated provider', () => {
  let t: TestApp;
  let payments: PaymentsService;
  const timeoutMs = 150;

  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t?.close();
  });
  beforeEach(() => {
    t.provider.configure({ latencyMs: 0, errorRate: 0, outage: false, declineAmountsEndingIn: null, dropResponseRate: 0 });
    // A fresh breaker per test, with short timings so the test can watch it open and close.
    payments = createPayments({
      stores: t.app.stores,
      settings: {
        providerUrl: t.provider.url,
        timeoutMs,
        maxAttempts: 3,
        retryInitialDelayMs: 5,
        retryMaxDelayMs: 20,
        breakerThreshold: 5,
        breakerHalfOpenAfterMs: 400,
      },
      log: pino({ level: 'silent' }),
    }).service;
  });

  const chargesFor = (id: string) => t.provider.charges().filter((c) => c.reference === id);

  test('success: charged with the order id as key, the attempt recorded in the order shard only', async () => {
    const id = orderId();
    const outcome = await payments.chargeOrder({ orderId: id, amount: 1250, currency: 'USD' });
    assert.equal(outcome.kind, 'succeeded');
    const charges = chargesFor(id);
    assert.equal(charges.length, 1);
    assert.equal(charges[0]!.idempotencyKey, id);
    assert.equal(outcome.kind === 'succeeded' && outcome.chargeId, charges[0]!.id);
    const attempts = await payments.attempts(id);
    assert.deepEqual(
      attempts.map((a) => [a.kind, a.status, a.providerChargeId, a.amount, a.currency]),
      [['charge', 'succeeded', charges[0]!.id, 1250, 'USD']],
    );
    const home = t.app.stores.shards.forId(id);
    for (const shard of t.app.stores.shards.databases) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from payment_attempts where order_id = ${id}`.execute(shard.db);
      assert.equal(rows[0]!.n, shard.name === home.name ? 1 : 0, shard.name);
    }
  });

  test('declined: a declined outcome, recorded, and not a breaker failure', async () => {
    t.provider.configure({ declineAmountsEndingIn: 13 });
    for (let i = 0; i < 7; i++) {
      const id = orderId();
      const outcome = await payments.chargeOrder({ orderId: id, amount: 1013, currency: 'USD' });
      assert.equal(outcome.kind, 'declined');
      assert.equal((await payments.attempts(id))[0]!.status, 'declined');
    }
    assert.equal(payments.breakerState(), 'closed');
  });

  test('timeout: a provider slower than the timeout is unavailable, retried a few times', async () => {
    t.provider.configure({ latencyMs: timeoutMs + 200 });
    const id = orderId();
    const before = t.provider.calls().charges;
    const started = Date.now();
    const outcome = await payments.chargeOrder({ orderId: id, amount: 1000, currency: 'USD' });
    assert.equal(outcome.kind, 'unavailable');
    assert.equal(t.provider.calls().charges - before, 3);
    assert.ok(Date.now() - started < 3 * (timeoutMs + 100) + 200, 'each attempt was cut at the timeout');
    const attempts = await payments.attempts(id);
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]!.status, 'unavailable');
    assert.match(attempts[0]!.error ?? '', /timeout/);
  });

  test('outage: unavailable, the breaker opens and keeps calls away, then closes once the provider is back', async () => {
    t.provider.configure({ outage: true });
    const id = orderId();
    // 3 attempts per call: the second call reaches 5 consecutive failures and opens the breaker.
    assert.equal((await payments.chargeOrder({ orderId: id, amount: 1000, currency: 'USD' })).kind, 'unavailable');
    assert.equal((await payments.chargeOrder({ orderId: id, amount: 1000, currency: 'USD' })).kind, 'unavailable');
    assert.equal(payments.breakerState(), 'open');

    const callsWhenOpen = t.provider.calls().charges;
    for (let i = 0; i < 5; i++) {
      const outcome = await payments.chargeOrder({ orderId: orderId(), amount: 1000, currency: 'USD' });
      assert.deepEqual(outcome, { kind: 'unavailable', reason: 'circuit breaker open' });
    }
    assert.equal(t.provider.calls().charges, callsWhenOpen, 'no call reached the provider while open');

    t.provider.configure({ outage: false });
    await new Promise((r) => setTimeout(r, 450));
    const outcome = await payments.chargeOrder({ orderId: id, amount: 1000, currency: 'USD' });
    assert.equal(outcome.kind, 'succeeded');
    assert.equal(payments.breakerState(), 'closed');
    assert.equal(chargesFor(id).length, 1);
  });

  test('half-open probe that fails opens the breaker again', async () => {
    t.provider.configure({ outage: true });
    await payments.chargeOrder({ orderId: orderId(), amount: 1000, currency: 'USD' });
    await payments.chargeOrder({ orderId: orderId(), amount: 1000, currency: 'USD' });
    assert.equal(payments.breakerState(), 'open');
    await new Promise((r) => setTimeout(r, 450));
    const before = t.provider.calls().charges;
    assert.equal((await payments.chargeOrder({ orderId: orderId(), amount: 1000, currency: 'USD' })).kind, 'unavailable');
    assert.equal(t.provider.calls().charges - before, 1, 'one probe only');
    assert.equal(payments.breakerState(), 'open');
  });

  test('a lost answer is retried with the same key and charges exactly once', async () => {
    t.provider.configure({ dropResponseRate: 1 });
    const id = orderId();
    const first = await payments.chargeOrder({ orderId: id, amount: 2200, currency: 'USD' });
    assert.equal(first.kind, 'succeeded');
    t.provider.configure({ dropResponseRate: 0 });
    const second = await payments.chargeOrder({ orderId: id, amount: 2200, currency: 'USD' });
    assert.deepEqual(second, first);
    assert.equal(chargesFor(id).length, 1);
  });

  test('20 concurrent charges of one order: exactly one charge at the provider', async () => {
    t.provider.configure({ latencyMs: 20 });
    const id = orderId();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => payments.chargeOrder({ orderId: id, amount: 990, currency: 'EUR' })),
    );
    assert.equal(chargesFor(id).length, 1);
    assert.ok(outcomes.every((o) => o.kind === 'succeeded' && o.chargeId === chargesFor(id)[0]!.id));
    // Two separate processes (two services) racing: the provider's key still makes it one charge.
    const other = createPayments({
      stores: t.app.stores,
      settings: { providerUrl: t.provider.url, timeoutMs: 1000 },
      log: pino({ level: 'silent' }),
    });
    const id2 = orderId();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? payments : other.service).chargeOrder({ orderId: id2, amount: 990, currency: 'EUR' })),
    );
    assert.equal(chargesFor(id2).length, 1);
  });

  test('refund: idempotent per refund key, recorded, never beyond the charge', async () => {
    const id = orderId();
    await payments.chargeOrder({ orderId: id, amount: 5000, currency: 'USD' });
    const r1 = await payments.refund({ orderId: id, refundKey: `refund:${id}:a`, amount: 3000, currency: 'USD' });
    assert.equal(r1.kind, 'succeeded');
    assert.deepEqual(await payments.refund({ orderId: id, refundKey: `refund:${id}:a`, amount: 3000, currency: 'USD' }), r1);
    const tooMuch = await payments.refund({ orderId: id, refundKey: `refund:${id}:b`, amount: 2001, currency: 'USD' });
    assert.equal(tooMuch.kind, 'declined');
    assert.equal(t.provider.refunds().filter((r) => r.idempotencyKey.startsWith(`refund:${id}`)).length, 1);
    const refunds = (await payments.attempts(id)).filter((a) => a.kind === 'refund');
    assert.deepEqual(
      refunds.map((a) => a.status),
      ['succeeded', 'succeeded', 'declined'],
    );
    t.provider.configure({ outage: true });
    assert.equal((await payments.refund({ orderId: id, refundKey: `refund:${id}:c`, amount: 100, currency: 'USD' })).kind, 'unavailable');
  });

  test('bad input is refused before anything is sent or written', async () => {
    const before = t.provider.calls().charges;
    await assert.rejects(payments.chargeOrder({ orderId: 'nope', amount: 100, currency: 'USD' }), { code: 'PAYMENTS_INVALID_ORDER_ID' });
    await assert.rejects(payments.chargeOrder({ orderId: orderId(), amount: 0, currency: 'USD' }), { code: 'PAYMENTS_INVALID_AMOUNT' });
    await assert.rejects(payments.chargeOrder({ orderId: orderId(), amount: 1.5, currency: 'USD' }), { code: 'PAYMENTS_INVALID_AMOUNT' });
    await assert.rejects(payments.chargeOrder({ orderId: orderId(), amount: 100, currency: 'usd' }), { code: 'PAYMENTS_INVALID_CURRENCY' });
    assert.equal(t.provider.calls().charges, before);
  });
});
