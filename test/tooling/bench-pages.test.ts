import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { judgePageTargets, PAGE, pageScenarios } from '../../bench/pages.ts';
import type { Row } from '../../bench/report.ts';

const sample = {
  hotIds: ['h1', 'h2'],
  coldIds: ['c1', 'c2', 'c3', 'c4', 'c5'],
  categorySlugs: ['mugs', 'bowls'],
  searchTerms: ['stoneware', 'oak'],
};

function row(scenario: string, reqPerSec: number, p99Ms: number, extra: Partial<Row> = {}): Row {
  return {
    scenario,
    cache: 'on',
    connections: 50,
    reqPerSec,
    reqPerSecRange: [reqPerSec, reqPerSec],
    p50Ms: p99Ms / 3,
    p99Ms,
    maxMs: p99Ms * 2,
    requests: reqPerSec * 10,
    bytesPerResponse: 5000,
    errors: 0,
    non2xx: 0,
    baseline: null,
    ratio: null,
    skipped: null,
    ...extra,
  };
}

describe('bench pages', () => {
  test('each page follows the JSON route serving the same data, compared with it, at 50 connections', () => {
    const plan = pageScenarios(sample);
    for (let i = 0; i < plan.length; i += 2) {
      const [json, page] = [plan[i]!, plan[i + 1]!];
      assert.equal(json.baseline, null);
      assert.equal(page.baseline, json.name);
      assert.ok(json.paths.every((p) => p.startsWith('/api/v1/')));
      assert.ok(page.paths.every((p) => !p.startsWith('/api/')));
      assert.ok([json, page].every((s) => s.connections === 50));
    }
    const paths = (name: string) => plan.find((s) => s.name === name)!.paths;
    assert.deepEqual(
      paths(PAGE.listPage).map((p) => p.replace('/products', '')),
      paths(PAGE.listJson).map((p) => p.replace('/api/v1/products', '')),
      'the listing page gets the same filters as the JSON list',
    );
    assert.deepEqual(paths(PAGE.productWarmPage), ['/products/h1', '/products/h2']);
  });

  test('the cold pair walks disjoint halves of the catalog, so neither warms the other', () => {
    const plan = pageScenarios(sample);
    const ids = (name: string) => plan.find((s) => s.name === name)!.paths.map((p) => p.split('/').at(-1));
    const json = ids('JSON product cold');
    const page = ids('page product cold');
    assert.equal(json.length + page.length, sample.coldIds.length);
    assert.ok(json.every((id) => !page.includes(id)));
  });

  test('targets: warm product and listing pages at >= 80% of their JSON twin, p99 under 25 ms; N/A when not measured', () => {
    const verdicts = (rows: Row[]) => Object.fromEntries(judgePageTargets(rows).map((t) => [t.name, t.verdict]));
    const good = [
      row(PAGE.productWarmJson, 10_000, 10),
      row(PAGE.productWarmPage, 8_500, 20),
      row(PAGE.listJson, 5_000, 15),
      row(PAGE.listPage, 4_000, 24),
    ];
    assert.ok(
      Object.values(verdicts(good)).every((v) => v === 'PASS'),
      JSON.stringify(verdicts(good)),
    );
    const slow = [...good.slice(0, 3), row(PAGE.listPage, 3_000, 30)];
    assert.equal(verdicts(slow)["listing page >= 80% of its JSON route's req/s"], 'FAIL');
    assert.equal(verdicts(slow)['listing page p99 < 25 ms'], 'FAIL');
    const missing = [row(PAGE.productWarmJson, 10_000, 10), row(PAGE.productWarmPage, NaN, NaN, { skipped: 'route not built yet' })];
    assert.equal(verdicts(missing)['warm product page p99 < 25 ms'], 'N/A');
  });
});
