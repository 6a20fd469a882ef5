import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allocate, type ReserveRequest } from './inventory.allocation.ts';
import type { StockRow } from './inventory.repository.ts';

const row = (variant_id: string, on_hand: number, reserved = 0, sold = 0): StockRow => ({
  variant_id,
  on_hand,
  reserved,
  sold,
  low_stock_threshold: 5,
});
const req = (orderId: string, ...lines: Array<[string, number]>): ReserveRequest => ({
  orderId,
  lines: lines.map(([variantId, quantity]) => ({ variantId, quantity })),
  expiresAt: new Date('2030-01-01T00:00:00Z'),
});

describe('allocate', () => {
  test('first come, first served; a request that does not fit takes nothing on any line', () => {
    const out = allocate(
      [req('o1', ['a', 2], ['b', 1]), req('o2', ['a', 1], ['b', 1]), req('o3', ['a', 1])],
      [row('a', 3), row('b', 1)],
      new Map(),
    );
    assert.deepEqual(
      out.decisions.map((d) => d.kind),
      ['ok', 'short', 'ok'],
    );
    assert.deepEqual(out.decisions[1], { kind: 'short', shortages: [{ variantId: 'b', requested: 1 }] });
    assert.deepEqual(
      out.changed.map((c) => [c.row.variant_id, c.row.reserved, c.availableBefore]),
      [
        ['a', 3, 3],
        ['b', 1, 1],
      ],
    );
    assert.equal(out.reservations.length, 3);
  });

  test('an unknown variant is short; existing reservations answer ok (or closed) without taking more', () => {
    const out = allocate(
      [req('o1', ['x', 1]), req('held', ['a', 1]), req('gone', ['a', 1]), req('held', ['a', 1]), req('new', ['a', 1])],
      [row('a', 1, 1)],
      new Map([
        ['held', ['reserved' as const]],
        ['gone', ['released' as const]],
      ]),
    );
    assert.deepEqual(
      out.decisions.map((d) => d.kind),
      ['short', 'ok', 'closed', 'ok', 'short'],
    );
    assert.equal(out.reservations.length, 0);
    assert.equal(out.changed.length, 0);
  });

  test('the same order twice in one batch is decided once', () => {
    const out = allocate([req('o', ['a', 2]), req('o', ['a', 2])], [row('a', 3)], new Map());
    assert.deepEqual(out.decisions, [
      { kind: 'ok', fresh: true },
      { kind: 'ok', fresh: false },
    ]);
    assert.equal(out.changed[0]!.row.reserved, 2);
  });
});
