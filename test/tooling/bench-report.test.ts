import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatTable, judgeTargets, type Row } from '../../bench/report.ts';

function row(scenario: string, cache: 'on' | 'off', reqPerSec: number, p99Ms: number, extra: Partial<Row> = {}): Row {
  return {
    scenario,
    cache,
    connections: scenario === 'search' ? 20 : 50,
    reqPerSec,
    reqPerSecRange: [reqPerSec * 0.95, reqPerSec * 1.05],
    p50Ms: p99Ms / 3,
    p99Ms,
    maxMs: p99Ms * 2,
    requests: reqPerSec * 10,
    bytesPerResponse: 2000,
    errors: 0,
    non2xx: 0,
    baseline: null,
    ratio: null,
    skipped: null,
    ...extra,
  };
}

const passing = (): Row[] => [
  row('/health (bare route)', 'on', 10_000, 10),
  row('one-lookup (baseline)', 'on', 4_000, 20),
  row('list /api/v1/products', 'on', 7_000, 20),
  row('detail warm (hot ids)', 'on', 8_000, 15),
  row('detail cold (whole catalog)', 'on', 2_300, 30),
  row('search', 'on', 3_000, 30),
  row('one-lookup (baseline)', 'off', 4_000, 20),
  row('detail (cache off)', 'off', 2_500, 40),
];

const verdicts = (rows: Row[]) => Object.fromEntries(judgeTargets(rows).map((t) => [t.name, t.verdict]));

describe('bench report', () => {
  test('every target passes when the numbers meet them', () => {
    const v = verdicts(passing());
    assert.equal(Object.keys(v).length, 8);
    assert.ok(
      Object.values(v).every((x) => x === 'PASS'),
      JSON.stringify(v),
    );
  });

  test('ratios compare with the right baseline: cache-off detail against the cache-off lookup', () => {
    const rows = passing().map((r) => (r.scenario === 'one-lookup (baseline)' && r.cache === 'off' ? { ...r, reqPerSec: 6_000 } : r));
    assert.equal(verdicts(rows)['cache-off detail >= 50% of the one-lookup route req/s'], 'FAIL');
    assert.equal(verdicts(rows)['warm detail >= 60% of the bare route req/s'], 'PASS');
  });

  test('a cache miss may cost at most 10 % more than no cache: cold detail with the cache on against off (issue 18)', () => {
    const cold = (reqPerSec: number) =>
      verdicts(passing().map((r) => (r.scenario === 'detail cold (whole catalog)' ? { ...r, reqPerSec } : r)))[
        'cold detail, cache on >= 90% of the same reads with the cache off'
      ];
    // 2,250 of the cache-off 2,500 is 90 %; 2,200 is 88 %.
    assert.deepEqual([cold(2_250), cold(2_200)], ['PASS', 'FAIL']);
  });

  test('a slow p99, too few req/s, or errors fail; a skipped scenario is N/A, not PASS', () => {
    const rows = passing().map((r) => {
      if (r.scenario === 'search') return { ...r, p99Ms: 50 };
      if (r.scenario === 'list /api/v1/products') return { ...r, reqPerSec: 5_999 };
      if (r.scenario === 'detail warm (hot ids)') return { ...r, non2xx: 3 };
      if (r.scenario === 'detail (cache off)') return { ...r, skipped: 'route not built yet' };
      return r;
    });
    const v = verdicts(rows);
    assert.equal(v['search p99 < 50 ms at 20 connections'], 'FAIL');
    assert.equal(v['warm list >= 60% of the bare route req/s'], 'FAIL');
    assert.equal(v['warm list p99 < 25 ms'], 'PASS');
    assert.equal(v['warm detail >= 60% of the bare route req/s'], 'FAIL');
    assert.equal(v['cache-off detail >= 50% of the one-lookup route req/s'], 'N/A');
  });

  test('an unsteady scenario fails the sanity check only, and is named', () => {
    const rows = passing().map((r) => (r.scenario === '/health (bare route)' ? { ...r, reqPerSecRange: [6_000, 14_000] as const } : r));
    const targets = judgeTargets(rows);
    const sanity = targets.filter((t) => t.kind === 'sanity');
    assert.deepEqual(
      sanity.map((t) => t.verdict),
      ['FAIL'],
    );
    assert.match(sanity[0]!.detail, /\/health \(bare route\) \(on\) 80%/);
    assert.doesNotMatch(sanity[0]!.detail, /search/);
    assert.ok(targets.filter((t) => t.kind === 'issue').every((t) => t.verdict === 'PASS'));
  });

  test('the table lists every scenario, with skipped ones and their reason', () => {
    const rows = [...passing(), row('shop page', 'on', NaN, NaN, { skipped: 'no shops in the catalog' })];
    const table = formatTable(rows).split('\n');
    assert.equal(table.length, rows.length + 2);
    assert.match(table.at(-1)!, /shop page .* skipped .* no shops in the catalog/);
  });
});
