import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, requestHash, IDEMPOTENCY_KEY_RE } from './orders.checkout.ts';
import { retryDelayMs } from './orders.payment.ts';
import { deriveOrderStatus, isTerminal, LEGAL_MOVES, ORDER_STATUSES, transition, type Actor } from './orders.state.ts';

const ACTORS: Actor[] = ['customer', 'seller', 'operator', 'system'];

test('transition allows exactly the moves in the table, to exactly the actors listed', () => {
  let legal = 0;
  for (const from of ORDER_STATUSES) {
    for (const to of ORDER_STATUSES) {
      for (const actor of ACTORS) {
        const allowed = LEGAL_MOVES[from][to]?.includes(actor) ?? false;
        assert.equal(transition(from, to, actor).ok, allowed, `${from} -> ${to} by ${actor}`);
        if (allowed) legal++;
      }
    }
  }
  // 3 moves out of pending_payment (cancel by customer or system): 4; then fulfil, ship and refund
  // (seller or operator) from paid: 4; ship and refund from fulfilled: 3; deliver and refund (a
  // return) from shipped: 3; refund (a return) from delivered: 2.
  assert.equal(legal, 16);
  assert.equal(transition('pending_payment', 'paid', 'customer').ok, false, 'a customer cannot mark an order paid');
  assert.equal(transition('shipped', 'refunded', 'customer').ok, false, 'a customer cannot refund');
  assert.equal(transition('paid', 'delivered', 'seller').ok, false, 'delivered only after shipping');
  assert.equal(transition('delivered', 'shipped', 'seller').ok, false);
  assert.equal(transition('paid', 'shipped', 'operator').ok, false, 'operators refund, they do not ship');
  assert.equal(transition('paid', 'paid', 'system').ok, false, 'no self-loops');
});

test('terminal states have no way out, and every other state has one', () => {
  for (const s of ORDER_STATUSES) assert.equal(Object.keys(LEGAL_MOVES[s]).length === 0, isTerminal(s), s);
});

test('the order follows its least advanced live sub-order; all refunded is refunded', () => {
  assert.equal(deriveOrderStatus(['paid', 'shipped']), 'paid');
  assert.equal(deriveOrderStatus(['delivered', 'delivered']), 'delivered');
  assert.equal(deriveOrderStatus(['refunded', 'shipped']), 'shipped');
  assert.equal(deriveOrderStatus(['refunded', 'refunded']), 'refunded');
  assert.equal(deriveOrderStatus(['fulfilled']), 'fulfilled');
});

test('request hashes ignore key order but not values', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] }), '{"a":[{"x":1,"y":2}],"b":1}');
  assert.equal(requestHash({ a: 1, b: { c: 2, d: 3 } }), requestHash({ b: { d: 3, c: 2 }, a: 1 }));
  assert.notEqual(requestHash({ a: 1 }), requestHash({ a: 2 }));
});

test('idempotency keys: 1..100 of the allowed characters', () => {
  assert.ok(IDEMPOTENCY_KEY_RE.test('abc-123_X.y:z'));
  assert.ok(!IDEMPOTENCY_KEY_RE.test(''));
  assert.ok(!IDEMPOTENCY_KEY_RE.test('a'.repeat(101)));
  assert.ok(!IDEMPOTENCY_KEY_RE.test('has space'));
});

test('payment retry delay grows, is jittered and never exceeds 30 s', () => {
  for (let attempt = 0; attempt < 40; attempt++) {
    const d = retryDelayMs(attempt);
    assert.ok(d > 0 && d <= 30_000, `${attempt}: ${d}`);
  }
  assert.ok(retryDelayMs(0) <= 500);
  assert.ok(retryDelayMs(20) >= 15_000);
});
