import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { quantileMs, startLiveFigures } from './live-figures.ts';
import { httpDuration, httpRequests, recordOrderPaid } from './metrics.ts';

/** Cumulative counts per upper bound (seconds), as the latency histogram's buckets read. */
const buckets = (pairs: Array<[number, number]>) => new Map(pairs);

describe('live figures', () => {
  test('p99 is interpolated within its bucket, as histogram_quantile does; none without requests', () => {
    const empty = buckets([
      [0.1, 0],
      [0.5, 0],
      [Infinity, 0],
    ]);
    // 100 requests: 90 under 100 ms, 10 between 100 and 500 ms: the 99th is 9/10 into that bucket.
    const after = buckets([
      [0.1, 90],
      [0.5, 100],
      [Infinity, 100],
    ]);
    assert.equal(quantileMs(empty, after, 0.99), 460);
    assert.equal(quantileMs(empty, after, 0.5), 55.6);
    assert.equal(quantileMs(after, after, 0.99), null);
    // Past the last finite bound: the largest finite bound, not infinity.
    const slow = buckets([
      [0.1, 0],
      [0.5, 0],
      [Infinity, 10],
    ]);
    assert.equal(quantileMs(empty, slow, 0.99), 500);
  });

  test('rates over the window, and one history point per sampling interval', async () => {
    const live = startLiveFigures({ intervalMs: 50, keepMs: 60_000, windowMs: 60_000, historyMs: 60_000 });
    try {
      const ok = httpRequests.series('/live-test', 'GET', '2xx');
      const failed = httpRequests.series('/live-test', 'GET', '5xx');
      const latency = httpDuration.series('/live-test', 'GET');
      const start = await live.now();
      for (let i = 0; i < 9; i++) {
        ok.inc();
        latency.observe(0.02);
      }
      failed.inc();
      latency.observe(0.02);
      recordOrderPaid('EUR', 1999, new Date());
      recordOrderPaid('EUR', 1, new Date());
      await sleep(160);
      const now = await live.now();
      assert.equal(now.lastMinute.requests - start.lastMinute.requests, 10);
      assert.equal(now.lastMinute.orders - start.lastMinute.orders, 2);
      const eur = (f: typeof now) => f.lastMinute.sales.find((m) => m.currency === 'EUR')?.amount ?? 0;
      assert.equal(eur(now) - eur(start), 2000);
      assert.ok(now.lastMinute.errorRate! > 0);
      assert.ok(now.history.length >= 2, `history points: ${now.history.length}`);
      assert.equal(now.history.reduce((n, p) => n + p.requests, 0) - start.history.reduce((n, p) => n + p.requests, 0), 10);
    } finally {
      live.stop();
    }
  });
});
