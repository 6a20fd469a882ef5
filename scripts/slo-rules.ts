/**
 * `npm run slo:rules`: writes ops/prometheus/rules/atelier-slo.yml, the Prometheus recording and
 * alert rules of Atelier's objectives, from ops/slo.ts (where the load lab reads them too), so the
 * objective a lab report judges and the one that pages someone cannot drift apart.
 * `test/tooling/slo-rules.test.ts` fails when the committed file differs from what this writes; run
 * `npm run deploy:rules` after it, so Kubernetes's PrometheusRule follows.
 *
 * For each request objective with a `rule`, and for the payment objective:
 *
 * - `atelier:slo_bad_ratio:rate{5m,30m,1h,6h}`: the share of bad events over each burn window.
 *   Availability: answers with a 5xx status (a request shed with 503 counts, also when the front
 *   door refused it before Fastify). Latency: answers slower than the objective's p99, counted at
 *   the histogram bucket `le` of that threshold, so it must be a bucket (checked here).
 * - `atelier:slo_error_budget`: the budget each ratio is measured against, for the dashboard's
 *   burn-rate panel: `maxErrorRatio` for availability; 1 % for latency, since "p99 under X" means at
 *   most 1 % of requests slower than X.
 * - Multi-window multi-burn-rate alerts (Google SRE workbook, chapter 5): a page when the budget
 *   burns 14.4x too fast over 1h, confirmed by the last 5m (2 % of a 30-day budget in an hour), or
 *   6x over 6h, confirmed by 30m (5 % in six hours).
 *
 * An objective allowing no errors at all (checkout: `maxErrorRatio` 0) has no budget to burn, and a
 * burn rate against zero pages on the first failed request, at night, for a restart. So its burn
 * alerts are computed against 0.1 % (`ZERO_BUDGET_STAND_IN`, the budget of the other classes): a
 * sustained failure pages as it would anywhere else. Every 5xx still reaches someone: a `ticket`
 * alert (`Atelier<Class>Errors`) fires while any was answered in the last 10 minutes, to be looked
 * at the next working day. The lab holds such a class to its zero.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { stringify } from 'yaml';
import { PAYMENT_OBJECTIVE, REQUEST_OBJECTIVES, type RequestObjective } from '../ops/slo.ts';
import { HTTP_BUCKETS, PAYMENT_BUCKETS } from '../src/platform/observability/metrics.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
export const SLO_RULES_PATH = path.join(ROOT, 'ops', 'prometheus', 'rules', 'atelier-slo.yml');

/** The recording windows: each alert reads a long one and the short one that confirms it. */
const WINDOWS = ['5m', '30m', '1h', '6h'] as const;
const BURNS = [
  { speed: 'Fast', factor: 14.4, long: '1h', short: '5m', for: '2m' },
  { speed: 'Slow', factor: 6, long: '6h', short: '30m', for: '15m' },
] as const;
/** "p99 under X": at most 1 % of requests slower than X. */
const LATENCY_BUDGET = 0.01;
/** The budget the burn alerts of a zero-error objective are computed against (see the file comment). */
export const ZERO_BUDGET_STAND_IN = 0.001;

/** One SLO as the rules count it: `ratio(window)` is the PromQL of its bad-event share. */
type Slo = Readonly<{
  /** The `slo` label: `<class>-availability`, `<class>-latency`, `payment-latency`. */
  name: string;
  /** The alert names' stem: `AtelierCheckoutAvailability`. */
  alert: string;
  budget: number;
  /** The budget in the alert's words. */
  budgetText: string;
  /** What is bad, for the alert's description: "5xx answers to checkout". */
  bad: string;
  ratio: (window: string) => string;
}>;

/** The label `le` as the server writes it (prom-client prints the bucket bound as a JS number). */
function le(seconds: number, buckets: readonly number[], what: string): string {
  if (!buckets.includes(seconds)) {
    throw new Error(
      `${what}: ${seconds * 1000} ms is not a histogram bucket (${buckets.join(', ')} s); the rules could not count it exactly`,
    );
  }
  return String(seconds);
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const percent = (ratio: number) => `${(ratio * 100).toLocaleString('en', { maximumFractionDigits: 3 })}%`;
const duration = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);

/** `route="..."` for a plain route, `route=~"..."` for a regular expression (Prometheus anchors both). */
function selector(rule: NonNullable<RequestObjective['rule']>): string {
  const quoted = (s: string) => JSON.stringify(s); // a PromQL string: the same escapes as JSON's
  const route = /[.*+?()[\]{}|^$\\]/.test(rule.route) ? `route=~${quoted(rule.route)}` : `route=${quoted(rule.route)}`;
  return `${route},method=${quoted(rule.method)}`;
}

function requestSlos(o: RequestObjective): Slo[] {
  if (!o.rule) return [];
  const sel = selector(o.rule);
  const bucket = le(o.p99Ms / 1000, HTTP_BUCKETS, `${o.class} p99Ms`);
  return [
    {
      name: `${o.class}-availability`,
      alert: `Atelier${pascal(o.class)}Availability`,
      budget: o.maxErrorRatio > 0 ? o.maxErrorRatio : ZERO_BUDGET_STAND_IN,
      budgetText:
        o.maxErrorRatio > 0
          ? `budget ${percent(o.maxErrorRatio)}`
          : `no errors allowed, burn computed against ${percent(ZERO_BUDGET_STAND_IN)}`,
      bad: `5xx answers (shed 503s included) to ${o.title}`,
      ratio: (w) =>
        [
          `sum(rate(atelier_http_requests_total{${sel},status_class="5xx"}[${w}]))`,
          '/',
          `sum(rate(atelier_http_requests_total{${sel}}[${w}]))`,
        ].join('\n'),
    },
    {
      name: `${o.class}-latency`,
      alert: `Atelier${pascal(o.class)}Latency`,
      budget: LATENCY_BUDGET,
      budgetText: `budget ${percent(LATENCY_BUDGET)}`,
      bad: `answers to ${o.title} slower than ${duration(o.p99Ms)}`,
      ratio: (w) =>
        [
          '1 - (',
          `  sum(rate(atelier_http_request_duration_seconds_bucket{${sel},le="${bucket}"}[${w}]))`,
          '  /',
          `  sum(rate(atelier_http_request_duration_seconds_count{${sel}}[${w}]))`,
          ')',
        ].join('\n'),
    },
  ];
}

function paymentSlo(payment: PaymentObjective): Slo {
  const bucket = le(payment.p99Ms / 1000, PAYMENT_BUCKETS, 'PAYMENT_OBJECTIVE p99Ms');
  return {
    name: 'payment-latency',
    alert: 'AtelierPaymentLatency',
    budget: LATENCY_BUDGET,
    budgetText: `budget ${percent(LATENCY_BUDGET)}`,
    bad: `orders paid more than ${duration(payment.p99Ms)} after their acceptance`,
    ratio: (w) =>
      [
        '1 - (',
        `  sum(rate(atelier_order_payment_seconds_bucket{le="${bucket}"}[${w}]))`,
        '  /',
        `  sum(rate(atelier_order_payment_seconds_count[${w}]))`,
        ')',
      ].join('\n'),
  };
}

type PaymentObjective = typeof PAYMENT_OBJECTIVE;

/** Every SLO the rules cover, in the order of ops/slo.ts, the payment objective last. */
export function slos(objectives: readonly RequestObjective[] = REQUEST_OBJECTIVES, payment: PaymentObjective = PAYMENT_OBJECTIVE): Slo[] {
  return [...objectives.flatMap(requestSlos), paymentSlo(payment)];
}

/** The ticket alert of an objective that allows no errors: any 5xx answered in the last 10 minutes. */
function zeroErrorAlerts(objectives: readonly RequestObjective[]): Array<Record<string, unknown>> {
  return objectives
    .filter((o) => o.rule && o.maxErrorRatio === 0)
    .map((o) => ({
      alert: `Atelier${pascal(o.class)}Errors`,
      expr: `sum(increase(atelier_http_requests_total{${selector(o.rule!)},status_class="5xx"}[10m])) > 0`,
      labels: { severity: 'ticket', slo: `${o.class}-availability` },
      annotations: {
        summary: `${o.title} answered 5xx in the last 10 minutes; its objective allows no failed request`,
        description: `Any failed ${o.title} request is a lost sale (ops/slo.ts allows none); the burn-rate alerts page only when failures are sustained. Look for the cause in the logs (status 5xx).`,
      },
    }));
}

/** The rule file's content, from ops/slo.ts's objectives (or others, for a test). */
export function sloRuleDocument(
  objectives: readonly RequestObjective[] = REQUEST_OBJECTIVES,
  payment: PaymentObjective = PAYMENT_OBJECTIVE,
): { groups: Array<{ name: string; interval?: string; rules: Array<Record<string, unknown>> }> } {
  const all = slos(objectives, payment);
  const ratios = all.flatMap((slo) => [
    ...WINDOWS.map((w) => ({ record: `atelier:slo_bad_ratio:rate${w}`, labels: { slo: slo.name }, expr: `${slo.ratio(w)}\n` })),
  ]);
  const budgets = all.map((slo) => ({ record: 'atelier:slo_error_budget', labels: { slo: slo.name }, expr: `vector(${slo.budget})` }));
  const alerts = all.flatMap((slo) =>
    BURNS.map((b) => ({
      alert: `${slo.alert}BurnRate${b.speed}`,
      expr: [
        `atelier:slo_bad_ratio:rate${b.long}{slo="${slo.name}"} > (${b.factor} * ${slo.budget})`,
        'and',
        `atelier:slo_bad_ratio:rate${b.short}{slo="${slo.name}"} > (${b.factor} * ${slo.budget})`,
        '',
      ].join('\n'),
      for: b.for,
      labels: { severity: 'page', slo: slo.name },
      annotations: {
        summary: `${slo.name} is burning its error budget ${b.factor}x too fast (${b.long} and ${b.short} windows)`,
        description: `Share of ${slo.bad} over ${b.long} is above the burn threshold (${slo.budgetText}); see the SLO panels of the Atelier dashboard.`,
      },
    })),
  );
  return {
    groups: [
      { name: 'atelier-slo-ratios', interval: '30s', rules: [...ratios, ...budgets] },
      { name: 'atelier-slo-alerts', rules: [...alerts, ...zeroErrorAlerts(objectives)] },
    ],
  };
}

const HEADER = `# Generated by \`npm run slo:rules\` from ops/slo.ts: edit the objectives there, not this file
# (then run \`npm run deploy:rules\`). How each objective becomes rules: scripts/slo-rules.ts.
#
# Recording rules give the bad-event ratio of each SLO over 5m/30m/1h/6h (5xx answers, shed 503s
# included; answers slower than the objective's p99, at its histogram bucket; orders paid later
# than the payment objective after acceptance) and the error budget it is measured against
# (maxErrorRatio; 1% for latency, as "p99 under X" allows 1% slower than X). Alerts are multi-window
# multi-burn-rate (Google SRE workbook, chapter 5): a page at 14.4x over 1h confirmed by 5m, or 6x
# over 6h confirmed by 30m. An objective with no error budget (checkout) burns against 0.1%, and
# any 5xx of it in 10 minutes opens a ticket.
`;

export async function sloRulesYaml(): Promise<string> {
  const text = HEADER + stringify(sloRuleDocument(), { lineWidth: 0 });
  const options = await prettier.resolveConfig(SLO_RULES_PATH);
  return prettier.format(text, { ...options, filepath: SLO_RULES_PATH });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await writeFile(SLO_RULES_PATH, await sloRulesYaml());
  console.log(`wrote ${path.relative(ROOT, SLO_RULES_PATH)}`);
}
