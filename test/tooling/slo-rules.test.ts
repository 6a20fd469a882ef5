import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import path from 'node:path';
import { PAYMENT_OBJECTIVE, REQUEST_OBJECTIVES, type RequestObjective } from '../../ops/slo.ts';
import { SLO_RULES_PATH, sloRuleDocument, sloRulesYaml, ZERO_BUDGET_STAND_IN } from '../../scripts/slo-rules.ts';

// The objectives are written once, in ops/slo.ts: an objective edited without `npm run slo:rules`
// (or the generated file edited by hand) would page on one threshold while the load lab judges
// another.
test('ops/prometheus/rules/atelier-slo.yml is what `npm run slo:rules` writes from ops/slo.ts', async () => {
  const committed = await readFile(SLO_RULES_PATH, 'utf8');
  const expected = await sloRulesYaml();
  if (committed === expected) return;
  const have = committed.split('\n');
  const want = expected.split('\n');
  const first = want.findIndex((line, i) => line !== have[i]);
  const at = first === -1 ? want.length : first;
  assert.fail(
    [
      'the committed SLO rules differ from ops/slo.ts: run `npm run slo:rules`, then `npm run deploy:rules`, and commit the result.',
      `first difference at line ${at + 1}:`,
      `  file:      ${have[at] ?? '(end of file)'}`,
      `  generated: ${want[at] ?? '(end of file)'}`,
    ].join('\n'),
  );
});

const PAYMENT = { title: 'orders paid after acceptance', p99Ms: 10_000 };
const objective = (o: Partial<RequestObjective>): RequestObjective => ({
  class: 'read',
  title: 'reads',
  p99Ms: 100,
  maxErrorRatio: 0.001,
  rule: { method: 'GET', route: '/api/v1/products/:id' },
  ...o,
});
const rulesOf = (doc: ReturnType<typeof sloRuleDocument>) => doc.groups.flatMap((g) => g.rules);

test('a latency threshold is counted at its bucket, with `le` as the server writes it; one that is not a bucket is refused', () => {
  const rules = rulesOf(sloRuleDocument([objective({ p99Ms: 250 })], PAYMENT));
  const latency = rules.find((r) => r.record === 'atelier:slo_bad_ratio:rate5m' && (r.labels as { slo: string }).slo === 'read-latency');
  assert.match(String(latency?.expr), /le="0\.25"/);
  const payment = rules.find((r) => r.record === 'atelier:slo_bad_ratio:rate1h' && (r.labels as { slo: string }).slo === 'payment-latency');
  assert.match(String(payment?.expr), /atelier_order_payment_seconds_bucket\{le="10"\}\[1h\]/);
  assert.throws(() => sloRuleDocument([objective({ p99Ms: 300 })], PAYMENT), /read p99Ms: 300 ms is not a histogram bucket/);
  assert.throws(() => sloRuleDocument([], { ...PAYMENT, p99Ms: 7000 }), /PAYMENT_OBJECTIVE p99Ms: 7000 ms is not a histogram bucket/);
});

test('a plain route is matched exactly, a pattern as a regular expression; a class without a rule gets none', () => {
  const exprs = rulesOf(
    sloRuleDocument(
      [
        objective({ class: 'search', rule: { method: 'GET', route: '/api/v1/search' } }),
        objective({ rule: { method: 'GET', route: '/api/v1/(products|shops).*' } }),
        objective({ class: 'cart', rule: null }),
      ],
      PAYMENT,
    ),
  ).map((r) => String(r.expr));
  assert.ok(exprs.some((e) => e.includes('route="/api/v1/search",method="GET"')));
  assert.ok(exprs.some((e) => e.includes('route=~"/api/v1/(products|shops).*",method="GET"')));
  assert.ok(!exprs.some((e) => e.includes('cart')));
});

test('an objective that allows no errors burns against the stand-in budget and opens a ticket on any 5xx', () => {
  const rules = rulesOf(
    sloRuleDocument([objective({ class: 'checkout', maxErrorRatio: 0, rule: { method: 'POST', route: '/api/v1/checkout' } })], PAYMENT),
  );
  const fast = rules.find((r) => r.alert === 'AtelierCheckoutAvailabilityBurnRateFast');
  assert.match(String(fast?.expr), new RegExp(`> \\(14\\.4 \\* ${ZERO_BUDGET_STAND_IN}\\)`));
  const budget = rules.find(
    (r) => r.record === 'atelier:slo_error_budget' && (r.labels as { slo: string }).slo === 'checkout-availability',
  );
  assert.equal(budget?.expr, `vector(${ZERO_BUDGET_STAND_IN})`);
  const ticket = rules.find((r) => r.alert === 'AtelierCheckoutErrors');
  assert.deepEqual(ticket?.labels, { severity: 'ticket', slo: 'checkout-availability' });
  assert.match(String(ticket?.expr), /status_class="5xx"\}\[10m\]\)\) > 0$/);
  // With a budget, no ticket: the burn alerts are the whole story.
  assert.equal(rulesOf(sloRuleDocument([objective({})], PAYMENT)).filter((r) => String(r.alert).endsWith('Errors')).length, 0);
});

test('docs/observability.md lists the objectives of ops/slo.ts', async () => {
  const docs = await readFile(path.resolve(import.meta.dirname, '../../docs/observability.md'), 'utf8');
  const row = (first: string) => docs.split('\n').find((line) => line.startsWith(`| ${first} `));
  const duration = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);
  for (const o of REQUEST_OBJECTIVES) {
    const cells = row(`\`${o.class}\``)
      ?.split('|')
      .map((c) => c.trim());
    assert.ok(cells, `a row for ${o.class}`);
    assert.equal(cells[3], duration(o.p99Ms), `${o.class}: p99`);
    assert.equal(cells[4], o.maxErrorRatio === 0 ? 'none' : `${o.maxErrorRatio * 100} %`, `${o.class}: errors`);
    assert.equal(cells[5] === 'the lab only', o.rule === null, `${o.class}: in the alert rules or not`);
  }
  assert.equal(row('payment')?.split('|')[3]?.trim(), duration(PAYMENT_OBJECTIVE.p99Ms));
});
