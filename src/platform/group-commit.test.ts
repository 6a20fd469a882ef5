import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupCommitBatcher } from './group-commit.ts';

describe('GroupCommitBatcher', () => {
  test('calls that arrive while a batch runs form the next batch; answers go to their callers', async () => {
    const seen: number[][] = [];
    const batcher = new GroupCommitBatcher<number, number>(
      async (batch) => {
        seen.push([...batch]);
        await new Promise((r) => setTimeout(r, 10));
        return batch.map((n) => n * 10);
      },
      { maxBatch: 3, maxInFlight: 1 },
    );
    const answers = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => batcher.submit(n)));
    assert.deepEqual(answers, [10, 20, 30, 40, 50, 60, 70]);
    assert.deepEqual(seen, [[1], [2, 3, 4], [5, 6, 7]]);
    assert.deepEqual(batcher.stats, { batches: 3, calls: 7, largestBatch: 3 });
  });

  test('a failed batch rejects every call in it and the next batch still runs', async () => {
    let fail = true;
    const batcher = new GroupCommitBatcher<number, number>(
      async (batch) => {
        await new Promise((r) => setTimeout(r, 5));
        if (fail) {
          fail = false;
          throw new Error('boom');
        }
        return batch;
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit(n)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'fulfilled', 'fulfilled'],
    );
    assert.equal(await batcher.submit(9), 9);
  });
});

describe('GroupCommitBatcher window', () => {
  test('a lone call waits no longer than the window for its batch to start', async () => {
    let started = 0;
    const batcher = new GroupCommitBatcher<number, number>(
      async (batch) => {
        started = performance.now();
        return batch;
      },
      { maxBatch: 10, maxInFlight: 1, windowMs: 30 },
    );
    const submitted = performance.now();
    assert.equal(await batcher.submit(1), 1);
    const waited = started - submitted;
    assert.ok(waited >= 25, `it waited for company (${waited.toFixed(1)} ms)`);
    // Timers fire late on a busy machine; the bound is the window plus that lateness, never a second window.
    assert.ok(waited < 30 + 25, `a lone call starts within the window (${waited.toFixed(1)} ms)`);
  });

  test('calls within the window share one batch; a full batch starts without waiting', async () => {
    const seen: number[][] = [];
    const batcher = new GroupCommitBatcher<number, number>(
      async (batch) => {
        seen.push([...batch]);
        return batch;
      },
      { maxBatch: 3, maxInFlight: 1, windowMs: 10_000 },
    );
    const t0 = performance.now();
    const first = [batcher.submit(1), batcher.submit(2), batcher.submit(3)];
    await Promise.all(first);
    assert.ok(performance.now() - t0 < 1000, 'a full batch does not wait out the window');
    assert.deepEqual(seen, [[1, 2, 3]]);
  });

  test('without a window a lone call starts at once', async () => {
    let started = 0;
    const batcher = new GroupCommitBatcher<number, number>(
      async (batch) => {
        started = performance.now();
        return batch;
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const submitted = performance.now();
    await batcher.submit(1);
    assert.ok(started - submitted < 5, `started after ${(started - submitted).toFixed(1)} ms`);
  });
});
