/**
 * Atelier's service-level objectives, written once. The load lab (`load/`) judges every run by
 * them, and `npm run slo:rules` writes the Prometheus recording and alert rules
 * (ops/prometheus/rules/atelier-slo.yml) from them, so the objective a report shows and the one
 * that pages someone cannot drift apart. `test/tooling/slo-rules.test.ts` fails when the committed
 * rules are not what this file gives.
 *
 * A latency threshold must be one of the server's histogram buckets
 * (src/platform/observability/metrics.ts: HTTP_BUCKETS, PAYMENT_BUCKETS for the payment objective),
 * so the alert rules count it exactly; `npm run slo:rules` refuses one that is not.
 */

/** The request classes the objectives cover, as the lab sorts its requests. */
export type SloClass = 'page' | 'read' | 'search' | 'cart' | 'checkout' | 'account';

export type RequestObjective = Readonly<{
  class: SloClass;
  /** Plain words for a report. */
  title: string;
  /** The 99th percentile of latency must stay under this, milliseconds. */
  p99Ms: number;
  /**
   * The share of requests that may fail. A shed request (503) counts as failed. For checkout it is
   * 0: no request may fail, but a clear `409` sold-out answer is a correct answer, not a failure.
   */
  maxErrorRatio: number;
  /**
   * How the alert rules find these requests in `atelier_http_requests_total` and
   * `atelier_http_request_duration_seconds`: the method and a regular expression on the route.
   * Null: the class has no rule of its own (it is judged by the lab only).
   */
  rule: Readonly<{ method: string; route: string }> | null;
}>;

export const REQUEST_OBJECTIVES: readonly RequestObjective[] = [
  {
    class: 'page',
    title: 'storefront pages',
    p99Ms: 100,
    maxErrorRatio: 0.001,
    rule: { method: 'GET', route: '/|/products|/products/:id|/categories/:slug|/shops/:slug|/search|/cart' },
  },
  {
    class: 'read',
    title: 'catalog reads (JSON API and images)',
    p99Ms: 100,
    maxErrorRatio: 0.001,
    rule: { method: 'GET', route: '/api/v1/(products|categories|shops).*|/media/.*' },
  },
  { class: 'search', title: 'search', p99Ms: 100, maxErrorRatio: 0.001, rule: { method: 'GET', route: '/api/v1/search' } },
  { class: 'cart', title: 'add to cart', p99Ms: 100, maxErrorRatio: 0.001, rule: null },
  { class: 'checkout', title: 'checkout', p99Ms: 500, maxErrorRatio: 0, rule: { method: 'POST', route: '/api/v1/checkout' } },
  { class: 'account', title: 'sign-in and order status', p99Ms: 500, maxErrorRatio: 0.001, rule: null },
];

/**
 * Accepted orders must be paid within this long of acceptance, at the 99th percentile. The rules
 * read it from `atelier_order_payment_seconds`, which the worker that records an order paid observes.
 */
export const PAYMENT_OBJECTIVE: Readonly<{ title: string; p99Ms: number }> = { title: 'orders paid after acceptance', p99Ms: 10_000 };

export function objectiveOf(c: SloClass): RequestObjective {
  const found = REQUEST_OBJECTIVES.find((o) => o.class === c);
  if (!found) throw new Error(`no objective for class ${c}`);
  return found;
}

/** "p99 < 100 ms, errors < 0.1 %" */
export function describeObjective(o: Pick<RequestObjective, 'p99Ms' | 'maxErrorRatio'>): string {
  const errors =
    o.maxErrorRatio === 0 ? 'no errors' : `errors < ${(o.maxErrorRatio * 100).toLocaleString('en', { maximumFractionDigits: 2 })} %`;
  return `p99 < ${o.p99Ms.toLocaleString('en')} ms, ${errors}`;
}
