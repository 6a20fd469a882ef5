import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import type { SellerSubOrderView } from '../../modules/orders/index.ts';
import { readRefundForm, refundIds } from './refund-form.tsx';

/** A paid sub-order of 33.00 in `currency` (minor units given), 3.00 of it refunded already. */
function subOrder(currency = 'USD', total = 3300, refunded = 300): SellerSubOrderView {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    orderId: '00000000-0000-4000-8000-000000000002',
    orderReference: '00000002',
    shopId: '00000000-0000-4000-8000-000000000003',
    shopName: 'Loom',
    status: 'paid',
    total: { amount: total, currency },
    refunded: { amount: refunded, currency },
    shippingAddress: { name: 'A', line1: '1 Road', city: 'Town', postalCode: '1000', country: 'GB' },
    placedAt: '2026-01-01T00:00:00.000Z',
    fulfilledAt: null,
    shippedAt: null,
    deliveredAt: null,
    shipment: null,
    lines: [],
    refunds: [],
  };
}

// readRefundForm reads only the posted body.
const posted = (body: Record<string, string>) => ({ body }) as unknown as FastifyRequest;
const amountOf = (text: string, sub = subOrder()) => readRefundForm(posted({ mode: 'amount', amount: text }), sub);
const field = refundIds('').amount;

test('a refund amount is read on its digits: "19.99" is exactly 1999 minor units', () => {
  for (const [text, minor] of [
    ['19.99', 1999],
    ['0.29', 29],
    ['0.01', 1],
    ['12', 1200],
    ['12.5', 1250],
    [' 30.00 ', 3000],
  ] as const) {
    const asked = amountOf(text);
    assert.ok(asked.ok, text);
    assert.equal(asked.input.amount, minor, text);
  }
  const yen = amountOf('1234', subOrder('JPY', 5000, 0));
  assert.ok(yen.ok);
  assert.equal(yen.input.amount, 1234);
  const dinar = amountOf('1.234', subOrder('BHD', 5000, 0));
  assert.ok(dinar.ok);
  assert.equal(dinar.input.amount, 1234);
});

test('a refund amount that is not money in the currency is a field error, never rounded or read as a float', () => {
  for (const text of ['12.345', '1e3', '1E3', '0x10', '-5', '+5', '5.', '.5', '1 000', 'Infinity', 'NaN', '19.99.1', '١٢']) {
    const asked = amountOf(text);
    assert.ok(!asked.ok, text);
    assert.equal(asked.state.errors[0]?.field, field, text);
    assert.match(asked.state.errors[0]?.message ?? '', /Enter the amount as a number of USD/, text);
    assert.equal(asked.state.values[field], text, `${text} is shown again as typed`);
  }
  // A yen amount has no decimals at all.
  assert.ok(!amountOf('12.5', subOrder('JPY', 5000, 0)).ok);
});

test('a refund amount over what is left of what was paid names the rest exactly', () => {
  const asked = amountOf('30.01');
  assert.ok(!asked.ok);
  assert.equal(asked.state.errors[0]?.message, 'Enter at most 30.00: that is what is left of what was paid');
  assert.ok(amountOf('30.00').ok);
  const dinar = amountOf('5.001', subOrder('BHD', 5000, 0));
  assert.ok(!dinar.ok);
  assert.match(dinar.state.errors[0]?.message ?? '', /^Enter at most 5\.000:/);
});

test('only mode=full asks for the whole order; no mode or another word refunds nothing', () => {
  const full = readRefundForm(posted({ mode: 'full' }), subOrder());
  assert.ok(full.ok);
  assert.deepEqual(full.input, {});
  for (const body of [{}, { mode: '' }, { mode: 'FULL' }, { mode: 'all' }] as Array<Record<string, string>>) {
    const asked = readRefundForm(posted(body), subOrder());
    assert.ok(!asked.ok, JSON.stringify(body));
    assert.equal(asked.state.errors[0]?.field, refundIds('').full);
  }
});
