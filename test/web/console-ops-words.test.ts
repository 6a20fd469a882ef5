import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ago, amount, amounts, clock, duration, millis, percent, rate } from '../../src/web/console/ops/words.ts';
import { shardRanges } from '../../src/web/console/ops/data-page.tsx';

test('the console says its figures in words and units a person reads', () => {
  assert.equal(percent(0.021), '2.1 %');
  assert.equal(percent(0), '0.0 %');
  assert.equal(percent(null, 'no requests'), 'no requests');
  assert.equal(millis(340.4), '340 ms');
  assert.equal(millis(1250), '1.25 s');
  assert.equal(millis(1000), '1 s');
  assert.equal(millis(null), 'no requests');
  assert.deepEqual([0, 42, 180, 7500].map(duration), ['0 s', '42 s', '3 min', '2 h 5 min']);
  assert.equal(duration(3600), '1 h');
  assert.equal(rate(3.456), '3.46');
  assert.equal(rate(2), '2');
  assert.equal(amount({ amount: 1250, currency: 'EUR' }), '12.50 EUR');
  assert.equal(amount({ amount: 1250, currency: 'JPY' }), '1250 JPY');
  assert.equal(amounts([]), 'none');
  assert.equal(
    amounts([
      { amount: 5, currency: 'EUR' },
      { amount: 300, currency: 'USD' },
    ]),
    '0.05 EUR, 3.00 USD',
  );
  assert.equal(clock('2026-12-07T10:42:05.123Z'), '10:42:05 UTC');
  assert.equal(clock('2026-12-07T10:42:05.123Z', true), '7 Dec 2026, 10:42:05 UTC');
  assert.equal(ago(0.2), 'just now');
  assert.equal(ago(12), '12 s ago');
});

test('logical shards read as ranges', () => {
  assert.equal(shardRanges([3, 0, 1, 2, 8, 10, 11]), '0–3, 8, 10–11');
  assert.equal(shardRanges([0, 2, 4]), '0, 2, 4');
  assert.equal(shardRanges([]), 'none');
});
