import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { objectiveOf } from '../../ops/slo.ts';
import { generatorWarning } from '../../load/generator.ts';
import type { Reply } from '../../load/http.ts';
import { DEFAULT_MODEL, describeModel, modelFromEnv, requestsPerSession, sessionsPerSecond } from '../../load/model.ts';
import { Recorder } from '../../load/recorder.ts';
import { settingsFrom, soakFigures } from '../../load/run.ts';
import { capacityTimeline, DEFAULT_LENGTHS, spikeTimeline } from '../../load/scenarios.ts';
import { judge } from '../../load/shopper.ts';
import type { RunReport } from '../../load/types.ts';
import { judgeSlos } from '../../load/verdict.ts';

/** The load lab's arithmetic and judgement, without a server: what a report's verdict rests on. */
const reply = (status: number, body: unknown = '', headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  text: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('the traffic model', () => {
  test('derives arrival rates from daily users, and prints the arithmetic', () => {
    // 500,000 x 1.4 x 15 % / 3,600 s
    assert.equal(sessionsPerSecond(DEFAULT_MODEL, 500_000).toFixed(2), '29.17');
    assert.equal(sessionsPerSecond(DEFAULT_MODEL, 5_000) * 100, sessionsPerSecond(DEFAULT_MODEL, 500_000));
    const report = describeModel(DEFAULT_MODEL);
    const requests = report.derived.find((d) => d.name === 'requests/s, 500,000 daily users');
    assert.ok(requests && Math.abs(requests.value - sessionsPerSecond(DEFAULT_MODEL, 500_000) * requestsPerSession(DEFAULT_MODEL)) < 1e-9);
    assert.match(requests.how, /sessions\/s x .* requests per session/);
    assert.equal(report.parameters.dailyUsers, 5_000);
  });

  test('LAB_* settings change one parameter, and a bad one names itself', () => {
    assert.equal(modelFromEnv({ LAB_PEAK_HOUR_SHARE: '0.3' }).peakHourShare, 0.3);
    assert.equal(modelFromEnv({ LAB_SPIKE_DAILY_USERS: '1000000' }).spikeDailyUsers, 1_000_000);
    assert.throws(() => modelFromEnv({ LAB_CONVERSION: 'lots' }), /LAB_CONVERSION must be a number/);
    assert.throws(() => modelFromEnv({ LAB_SEARCH_SHARE: '1.5' }), /searchShare is a share/);
    assert.throws(() => modelFromEnv({ LAB_CONVERSION: '0.5' }), /conversion must not exceed addToCartShare/);
  });

  test('the spike goes from the ordinary day to a hundred times it within the ramp, holds, and eases; the sale is mid-hold', () => {
    const l = { ...DEFAULT_LENGTHS, baseSec: 10, rampSec: 60, holdSec: 100, easeSec: 40 };
    const t = spikeTimeline(DEFAULT_MODEL, l);
    assert.equal(t.durationMs, 210_000);
    assert.equal(t.usersAt(5_000), 5_000);
    assert.equal(t.usersAt(40_000), 5_000 + (495_000 * 30) / 60);
    assert.equal(t.usersAt(70_000), 500_000);
    assert.equal(t.usersAt(169_000), 500_000);
    assert.equal(t.usersAt(210_000), 100_000);
    assert.equal(t.flashAtMs, 120_000);
    assert.equal(t.rateAt(100_000), sessionsPerSecond(DEFAULT_MODEL, 500_000));
  });

  test('capacity holds each step for its length', () => {
    const t = capacityTimeline(DEFAULT_MODEL, [1_000, 2_000, 4_000], 10);
    assert.deepEqual(
      [0, 9_999, 10_000, 29_999, 45_000].map((x) => t.usersAt(x)),
      [1_000, 1_000, 2_000, 4_000, 4_000],
    );
    assert.equal(t.durationMs, 30_000);
  });
});

describe('judging answers', () => {
  test('a shed 503, a sold-out 409 and a place in line are told apart', () => {
    assert.deepEqual(judge('page', reply(200)), { outcome: 'ok' });
    assert.deepEqual(judge('page', reply(303)), { outcome: 'ok' });
    assert.deepEqual(judge('page', reply(503, { error: { code: 'OVERLOADED' } }, { 'retry-after': '5' })), {
      outcome: 'shed',
      kind: '503 OVERLOADED',
    });
    assert.equal(judge('page', reply(503, { error: { code: 'DATABASE_UNAVAILABLE' } })).outcome, 'error');
    assert.deepEqual(judge('checkout', reply(409, { error: { code: 'INVENTORY_OUT_OF_STOCK' } })), { outcome: 'ok' });
    assert.deepEqual(judge('checkout', reply(429, { error: { code: 'ORDERS_CHECKOUT_QUEUED' } })), { outcome: 'ok' });
    // A 409 anywhere else, or for another reason, is a failure.
    assert.equal(judge('checkout', reply(409, { error: { code: 'ORDERS_IDEMPOTENCY_KEY_REUSED' } })).outcome, 'error');
    assert.deepEqual(judge('cart', reply(409, { error: { code: 'INVENTORY_OUT_OF_STOCK' } })), { outcome: 'ok' });
    assert.equal(judge('page', reply(409, { error: { code: 'INVENTORY_OUT_OF_STOCK' } })).outcome, 'error');
    assert.deepEqual(judge('read', reply(500, '<!doctype html>', { 'content-type': 'text/html' })), { outcome: 'error', kind: '500 page' });
  });

  test('latency counts from the intended start: a late send is not forgiven (coordinated omission)', () => {
    const r = new Recorder(0, 1000);
    // Meant to start at 0, sent late by the generator, answered at 250 ms: 250 ms, not the 10 ms on the wire.
    r.record('page', 0, 250, 'ok');
    r.record('page', 300, 310, 'ok');
    const totals = r.totalsReport();
    assert.equal(totals.page!.latency.max, 250);
    // Good: ok and within the class objective (100 ms for pages).
    assert.equal(totals.page!.good, 1);
    assert.equal(totals.page!.answered, 2);
    const windows = r.windowsReport();
    assert.equal(windows.length, 1);
    r.record('checkout', 1500, 1600, 'shed', '503 OVERLOADED');
    assert.equal(r.windowsReport()[1]!.perClass.checkout!.shed, 1);
    assert.equal(r.errorsByKind['503 OVERLOADED'], 1);
    assert.equal(r.slice(1000, 2000).get('checkout')!.shed, 1);
    assert.equal(r.slice(1000, 2000).has('page'), false);
    r.destroy();
  });

  test('the SLO verdict: p99 and errors against ops/slo.ts, a shed request counting as failed', () => {
    const latency = (p99: number) => ({ count: 1000, p50: 5, p90: 10, p99, max: p99 * 2 });
    const page = objectiveOf('page');
    const within = judgeSlos(
      { page: { answered: 1000, ok: 1000, good: 1000, shed: 0, errors: 0, latency: latency(page.p99Ms - 1) } },
      null,
    );
    assert.deepEqual(
      within.map((v) => [v.class, v.pass]),
      [['page', true]],
    );
    const slow = judgeSlos({ page: { answered: 1000, ok: 1000, good: 900, shed: 0, errors: 0, latency: latency(page.p99Ms + 1) } }, null);
    assert.equal(slow[0]!.pass, false);
    // Fifty answers have no meaningful p99 (it is their slowest): judged on errors alone, and said.
    const few = judgeSlos({ page: { answered: 50, ok: 50, good: 40, shed: 0, errors: 0, latency: latency(page.p99Ms * 3) } }, null);
    assert.equal(few[0]!.pass, true);
    assert.match(few[0]!.measured, /too few for a p99/);
    // 2 shed of 1,000 is 0.2 %: over the 0.1 % budget even though nothing "errored".
    const shed = judgeSlos({ page: { answered: 1000, ok: 998, good: 998, shed: 2, errors: 0, latency: latency(10) } }, null);
    assert.equal(shed[0]!.pass, false);
    assert.match(shed[0]!.measured, /0\.20 % failed \(0 errors, 2 shed\)/);
    // Checkout has no error budget.
    const checkout = judgeSlos({ checkout: { answered: 5000, ok: 4999, good: 4999, shed: 0, errors: 1, latency: latency(50) } }, null);
    assert.equal(checkout[0]!.pass, false);
    // Payment: p99 over 10 s, or an order still pending, fails.
    const paid = (p99: number, pending: number) => judgeSlos({}, { count: 100, p50: 1000, p90: 2000, p99, max: p99, pending })[0]!.pass;
    assert.deepEqual([paid(9_000, 0), paid(11_000, 0), paid(9_000, 1)], [true, false, false]);
  });
});

describe('the run', () => {
  test('the generator says when it, not the server, was the limit', () => {
    const fine = { count: 100, p50: 1, p90: 2, p99: 5, max: 9 };
    assert.equal(generatorWarning(0.3, fine, 0), null);
    assert.match(generatorWarning(0.95, fine, 0) ?? '', /95 % of a core/);
    assert.match(generatorWarning(0.3, { ...fine, p99: 400 }, 0) ?? '', /late \(p99 400 ms/);
    assert.match(generatorWarning(0.3, fine, 12) ?? '', /dropped 12 arrivals/);
  });

  test('soak: memory growth and the move of the pages p99, last five minutes against the first', () => {
    const minute = 60_000;
    const server = Array.from({ length: 30 }, (_, i) => ({ at: i * minute, role: 'api', rssBytes: i < 15 ? 100 : 105 }));
    const windows = Array.from({ length: 30 }, (_, i) => ({ at: i * minute, perClass: { page: { latency: { p99: i < 15 ? 40 : 50 } } } }));
    const r = { durationMs: 30 * minute, server, windows } as unknown as RunReport;
    const soak = soakFigures(r);
    assert.ok(Math.abs(soak.rssGrowth - 0.05) < 1e-9);
    assert.ok(Math.abs(soak.p99Change - 0.25) < 1e-9);
  });

  test('usage: a scenario is required, and settings are checked before anything starts', () => {
    assert.throws(() => settingsFrom([]), /usage: npm run load -- <normal\|spike\|capacity\|soak\|without>/);
    assert.throws(() => settingsFrom(['burst']), /usage/);
    assert.throws(() => settingsFrom(['normal'], { LAB_NORMAL_SECONDS: '0' }), /LAB_NORMAL_SECONDS must be a whole number >= 1/);
    assert.throws(() => settingsFrom(['capacity'], { LAB_CAPACITY_STEPS: '1000,500' }), /LAB_CAPACITY_STEPS must be rising/);
    const s = settingsFrom(['spike', '--url', 'http://127.0.0.1:9000', '--metrics', 'http://127.0.0.1:9464/metrics'], {});
    assert.equal(s.url, 'http://127.0.0.1:9000');
    assert.deepEqual(s.metricsUrls, ['http://127.0.0.1:9464/metrics']);
  });
});
