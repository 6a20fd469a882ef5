import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outcomeOf, recordOf } from './orders.checkout-record.ts';
import { presentCheckout } from './orders.routes.ts';

// Rows exactly as the code before checkout returned values wrote them (statusCode + the JSON text
// it answered): they must replay byte for byte, and what is written now must be the same bytes.
const id = '0a1b2c3d-0000-4000-8000-000000000001';
const variantId = '0a1b2c3d-0000-4000-8000-000000000002';
const oldRows = [
  {
    statusCode: 202,
    response: `{"order":{"id":"${id}","status":"pending_payment","total":{"amount":4500,"currency":"EUR"}},"statusUrl":"/api/v1/orders/${id}"}`,
  },
  {
    statusCode: 409,
    response: `{"error":{"code":"INVENTORY_OUT_OF_STOCK","message":"Not enough stock for some lines","details":{"lines":[{"variantId":"${variantId}","requested":3}]}}}`,
  },
  {
    statusCode: 409,
    response: `{"error":{"code":"ORDERS_LINE_UNAVAILABLE","message":"Some lines can no longer be bought","details":{"lines":[{"variantId":"${variantId}","requested":1}]}}}`,
  },
];

test('a record written by the old code reads as an outcome and is written back, and answered, byte for byte', () => {
  for (const row of oldRows) {
    const outcome = outcomeOf(row);
    assert.deepEqual(recordOf(outcome), row);
    assert.deepEqual(presentCheckout(outcome), { statusCode: row.statusCode, body: row.response });
  }
  assert.deepEqual(outcomeOf(oldRows[0]!), {
    kind: 'accepted',
    order: { id, status: 'pending_payment', total: { amount: 4500, currency: 'EUR' } },
  });
  assert.deepEqual(outcomeOf(oldRows[1]!), { kind: 'out_of_stock', lines: [{ variantId, requested: 3 }] });
});

test('a place in line is presented as 429 with whole seconds to wait, and never recorded', () => {
  const answer = presentCheckout({
    kind: 'queued',
    place: { variantId, position: 3, estimatedWaitSeconds: 0.2, retryAfterMs: 1200 },
  });
  assert.equal(answer.statusCode, 429);
  assert.equal(answer.retryAfterSeconds, 2);
  assert.equal((JSON.parse(answer.body) as { error: { details: { position: number } } }).error.details.position, 3);
});

test('an unknown record is an error, not a guess', () => {
  assert.throws(() => outcomeOf({ statusCode: 500, response: '{"error":{"code":"X"}}' }));
});
