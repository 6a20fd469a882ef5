import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reconnectDelayMs } from './redis.ts';

test('reconnect delays grow to about a second and are jittered, so nodes do not reconnect in lockstep', () => {
  for (const [attempt, ceiling] of [
    [1, 100],
    [3, 300],
    [10, 1000],
    [500, 1000],
  ] as const) {
    const delays = Array.from({ length: 200 }, () => reconnectDelayMs(attempt));
    assert.ok(
      delays.every((d) => d >= ceiling / 2 && d <= ceiling),
      `attempt ${attempt}: ${Math.min(...delays)}..${Math.max(...delays)}`,
    );
    assert.ok(new Set(delays).size > 10, `attempt ${attempt}: jittered`);
  }
});
