/**
 * Overload (issue 5, "Protection"): what a shopper sees when the site gets twice the traffic it
 * can serve. Used by `npm run bench -- --only overload` and by test/overload.test.ts.
 *
 * 1. A shop made over HTTP: a seller with `products` published products in deep stock (no
 *    checkout fails for stock), `customers` signed-up customers, every product page read once.
 * 2. Capacity: `capacityConcurrency` clients in a closed loop for `capacitySec` seconds, each
 *    sending the mix below and the next request the moment the answer arrives. Capacity is the
 *    answers per second that were served. Its browsing carries a customer's credentials (public
 *    pages ignore them, so it costs the same): a closed loop saturates the server, and level-1
 *    shedding, which spares signed-in browsing, would otherwise answer most of it with cheap 503s
 *    and the figure would measure refusals rather than service.
 * 3. Overload: the same mix arriving at `overloadFactor` x capacity for `overloadSec` seconds, open
 *    model (docs/benchmarks.md): arrivals are paced by the clock, whether or not earlier ones
 *    were answered, so the backlog forms at the server, as it would in production. Latency counts
 *    from the moment a request is handed to the client (a wait for one of its `maxSockets`
 *    connections counts); how late the client itself was against the clock is reported apart
 *    (`lateness`), since on a two-core machine the load generator is starved too.
 * 4. The checkout latency SLO as the alert rules judge it (ops/slo.ts, p99 under 500 ms): the share
 *    of checkout requests the server answered within the objective, from its own
 *    `atelier_http_request_duration_seconds` buckets, read before and after the overload.
 * 5. The targets of issue 18 (`overloadTargets`): served answers per second during the overload at
 *    least 80 % of the capacity, checkout within its SLO (ops/slo.ts: p99 under 500 ms, no failure
 *    but a clear 409 sold-out; a 503 is a failure), and refusals answered with p99 under 20 ms.
 *
 * The mix: `checkoutShare` (1 %) of arrivals are checkouts by a signed-in customer (one unit of a
 * product, a fresh idempotency key), the rest anonymous browsing: product pages (40 %, answered
 * by caches), the product list filtered by a price band (25 %) and searches (25 %), both mostly
 * different each time (answered by the database), and categories. Checkouts are few on purpose:
 * the scenario is about browsing crowding out buying; buyers crowding each other out (a flash
 * sale) is the checkout admission queue's, measured by the checkout bench.
 *
 * During the overload the process's RSS is read from its metrics listener every second (its own
 * port, never shed). Written with `http.request` and a keep-alive agent rather than autocannon: the mix
 * needs per-request bodies and headers, per-kind latencies and each refusal's `Retry-After`.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { objectiveOf } from '../ops/slo.ts';
import { startAtelier, stopAtelier, waitUntilReady } from './children.ts';
import { labelOf, parseMetrics, scrape, type Sample } from './metrics.ts';
import { percentile, type Target } from './report.ts';

export type OverloadSettings = Readonly<{
  products: number;
  customers: number;
  capacitySec: number;
  capacityConcurrency: number;
  overloadSec: number;
  overloadFactor: number;
  checkoutShare: number;
  /** Most connections the open-model client opens; past that, requests wait in the client (and the wait counts). */
  maxSockets: number;
}>;

export const DEFAULT_OVERLOAD: OverloadSettings = {
  products: 100,
  customers: 30,
  capacitySec: 5,
  capacityConcurrency: 32,
  overloadSec: 20,
  overloadFactor: 2,
  checkoutShare: 0.01,
  maxSockets: 512,
};

type Kind = 'browse' | 'checkout';

type Answer = Readonly<{ status: number; retryAfter: string | undefined; body: string }>;

const ADDRESS = { name: 'Load Tester', line1: '1 Spike Street', city: 'Lyon', postalCode: '69001', country: 'FR' } as const;

function send(
  agent: http.Agent,
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        timeout: 60_000,
        headers:
          payload === undefined
            ? headers
            : { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter, body: Buffer.concat(chunks).toString() });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

export type Shop = Readonly<{ productIds: string[]; variantIds: string[]; customers: Array<{ authorization: string }>; terms: string[] }>;

/**
 * Sends until the answer is not a load-shedding refusal (waiting 250 ms between tries, for a minute at
 * most: on a busy machine a freshly started server can be over its delay threshold), then checks it.
 */
async function expect(what: string, status: number, attempt: () => Promise<Answer>): Promise<Record<string, unknown>> {
  let got = await attempt();
  for (let i = 0; i < 240 && got.status === 503 && got.body.includes('"OVERLOADED"'); i++) {
    await new Promise((r) => setTimeout(r, 250));
    got = await attempt();
  }
  if (got.status !== status) throw new Error(`${what}: expected ${status}, got ${got.status} ${got.body.slice(0, 300)}`);
  return JSON.parse(got.body) as Record<string, unknown>;
}

/** The shop of step 1, made through the public API as a seller and customers would. */
export async function prepareShop(baseUrl: string, settings: Pick<OverloadSettings, 'products' | 'customers'>): Promise<Shop> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  try {
    // Sign-up never signs in (it answers 202 either way, revealing nothing): a sign-up, then a log-in.
    const signUp = async (role: 'seller' | 'customer') => {
      const credentials = { email: `overload-${role}-${randomUUID()}@example.test`, password: 'correct horse battery' };
      await expect(`sign-up (${role})`, 202, () =>
        send(agent, base, 'POST', '/api/v1/auth/signup', {}, { ...credentials, name: `Overload ${role}`, role }),
      );
      const body = await expect(`log-in (${role})`, 200, () => send(agent, base, 'POST', '/api/v1/auth/login', {}, credentials));
      return { authorization: `Bearer ${String(body.token)}` };
    };
    const seller = await signUp('seller');
    const slug = `overload-${Date.now().toString(36)}`;
    await expect('shop', 201, () => send(agent, base, 'POST', '/api/v1/shops', seller, { slug, name: `Overload shop ${slug}` }));
    const words = ['bowl', 'vase', 'mug', 'plate', 'jug', 'cup'];
    const productIds: string[] = [];
    const variantIds: string[] = [];
    for (let i = 0; i < settings.products; i++) {
      const p = await expect('product', 201, () =>
        send(agent, base, 'POST', '/api/v1/products', seller, {
          title: `Stoneware ${words[i % words.length]} ${i}`,
          description: 'Thrown by hand for the overload test',
          status: 'published',
          variants: [{ options: { size: 'M' }, price: 1500 + i * 10 }],
        }),
      );
      const variantId = (p.variants as Array<{ id: string }>)[0]!.id;
      await expect('restock', 200, () =>
        send(agent, base, 'POST', `/api/v1/inventory/variants/${variantId}/restock`, seller, { quantity: 100_000 }),
      );
      productIds.push(String(p.id));
      variantIds.push(variantId);
    }
    const customers: Array<{ authorization: string }> = [];
    while (customers.length < settings.customers) {
      const batch = Math.min(8, settings.customers - customers.length);
      customers.push(...(await Promise.all(Array.from({ length: batch }, () => signUp('customer')))));
    }
    for (const id of productIds) await expect('product page', 200, () => send(agent, base, 'GET', `/api/v1/products/${id}`, {}));
    return { productIds, variantIds, customers, terms: words };
  } finally {
    agent.destroy();
  }
}

/** One arrival of the mix: what it is and how to send it. */
function pick(
  shop: Shop,
  checkoutShare: number,
  n: number,
  browseAs: 'anonymous' | 'customer',
): { kind: Kind; method: string; path: string; headers: Record<string, string>; body?: unknown } {
  const r = Math.random();
  if (r < checkoutShare) {
    return {
      kind: 'checkout',
      method: 'POST',
      path: '/api/v1/checkout',
      headers: { ...shop.customers[n % shop.customers.length]!, 'idempotency-key': randomUUID() },
      body: { lines: [{ variantId: shop.variantIds[n % shop.variantIds.length]!, quantity: 1 }], shippingAddress: ADDRESS },
    };
  }
  const b = (r - checkoutShare) / (1 - checkoutShare);
  // Product pages repeat (caches answer them); price bands and searches mostly do not (the
  // database does): the share of browsing a CDN in front would not absorb.
  const low = 1500 + ((n * 7919) % 1000);
  const path =
    b < 0.4
      ? `/api/v1/products/${shop.productIds[n % shop.productIds.length]!}`
      : b < 0.65
        ? `/api/v1/products?minPrice=${low}&maxPrice=${low + 1 + ((n * 104729) % 500)}`
        : b < 0.9
          ? `/api/v1/search?q=${shop.terms[n % shop.terms.length]!}%20${(n * 31) % 100}`
          : '/api/v1/categories';
  return { kind: 'browse', method: 'GET', path, headers: browseAs === 'customer' ? shop.customers[n % shop.customers.length]! : {} };
}

export type KindFigures = {
  sent: number;
  /** Answered 2xx. */
  ok: number;
  /** Answered 503 with a Retry-After header and code OVERLOADED. */
  shed: number;
  /** Any other answer, by status and the start of the body. */
  other: Record<string, number>;
  /** Connection errors and timeouts, by message. */
  errors: Record<string, number>;
  /** Latency of the 2xx answers, ms. */
  okMs: number[];
  /** Latency of the shed answers, ms. */
  shedMs: number[];
};

const emptyFigures = (): KindFigures => ({ sent: 0, ok: 0, shed: 0, other: {}, errors: {}, okMs: [], shedMs: [] });

function record(f: KindFigures, a: Answer, ms: number): void {
  if (a.status >= 200 && a.status < 300) {
    f.ok++;
    f.okMs.push(ms);
  } else if (a.status === 503 && a.retryAfter !== undefined && a.body.includes('"OVERLOADED"')) {
    f.shed++;
    f.shedMs.push(ms);
  } else {
    const key = `${a.status} ${a.body.slice(0, 80)}`;
    f.other[key] = (f.other[key] ?? 0) + 1;
  }
}

export type PhaseFigures = Readonly<{ seconds: number; browse: KindFigures; checkout: KindFigures }>;

/** Checkout's objective (ops/slo.ts): its p99 bound, which is one of the server's histogram buckets. */
const CHECKOUT_OBJECTIVE = objectiveOf('checkout');

/**
 * Checkout requests the server answered, how many of them within 1 s (its histogram's `le="1"`
 * bucket, the old alert rule) and within the objective's bound (`le="0.5"`, ops/slo.ts).
 */
export type CheckoutSlo = Readonly<{ total: number; withinOneSecond: number; withinObjective: number }>;

/** Its checkout requests and those answered within 1 s and within the objective, from `atelier_http_request_duration_seconds`. */
function checkoutSloOf(sample: Sample): CheckoutSlo {
  let total = 0;
  let withinOneSecond = 0;
  let withinObjective = 0;
  const objectiveLe = String(CHECKOUT_OBJECTIVE.p99Ms / 1000);
  for (const [key, value] of sample) {
    if (!key.startsWith('atelier_http_request_duration_seconds_')) continue;
    if (labelOf(key, 'route') !== '/api/v1/checkout' || labelOf(key, 'method') !== 'POST') continue;
    if (key.startsWith('atelier_http_request_duration_seconds_count')) total += value;
    else if (labelOf(key, 'le') === '1') withinOneSecond += value;
    if (key.startsWith('atelier_http_request_duration_seconds_bucket') && labelOf(key, 'le') === objectiveLe) withinObjective += value;
  }
  return { total, withinOneSecond, withinObjective };
}

function rssOf(sample: Sample): number {
  const rss = sample.get('process_resident_memory_bytes');
  if (rss === undefined) throw new Error('no process_resident_memory_bytes in /metrics');
  return rss;
}

/** Step 2: served answers per second in a closed loop. */
export async function measureCapacity(
  baseUrl: string,
  shop: Shop,
  settings: Pick<OverloadSettings, 'capacitySec' | 'capacityConcurrency' | 'checkoutShare'>,
): Promise<PhaseFigures & { servedPerSec: number }> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: settings.capacityConcurrency });
  const figures = { browse: emptyFigures(), checkout: emptyFigures() };
  const started = performance.now();
  const end = started + settings.capacitySec * 1000;
  let n = 0;
  const client = async () => {
    while (performance.now() < end) {
      const a = pick(shop, settings.checkoutShare, n++, 'customer');
      const f = figures[a.kind];
      f.sent++;
      const t0 = performance.now();
      try {
        record(f, await send(agent, base, a.method, a.path, a.headers, a.body), performance.now() - t0);
      } catch (err) {
        const m = (err as Error).message;
        f.errors[m] = (f.errors[m] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: settings.capacityConcurrency }, client));
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  return { seconds, ...figures, servedPerSec: (figures.browse.ok + figures.checkout.ok) / seconds };
}

/** Step 3: the mix at `ratePerSec` arrivals, open model, and the RSS of the server every second. */
export async function runOpenLoad(
  baseUrl: string,
  metricsUrl: string,
  shop: Shop,
  settings: Pick<OverloadSettings, 'overloadSec' | 'checkoutShare' | 'maxSockets'> & { ratePerSec: number },
): Promise<PhaseFigures & { rssBytes: number[]; latenessMs: number[]; sendingSeconds: number; healthMs: number[] }> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: settings.maxSockets });
  const probe = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const healthAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const metrics = new URL(metricsUrl);
  const figures = { browse: emptyFigures(), checkout: emptyFigures() };
  const rssBytes: number[] = [];
  const lateness: number[] = [];
  const healthMs: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const durationMs = settings.overloadSec * 1000;
  let n = 0;
  let lastSentAt = started;

  const fire = (dueAt: number) => {
    const a = pick(shop, settings.checkoutShare, n++, 'anonymous');
    const f = figures[a.kind];
    f.sent++;
    const sentAt = performance.now();
    lastSentAt = sentAt;
    lateness.push(sentAt - dueAt);
    const p = send(agent, base, a.method, a.path, a.headers, a.body).then(
      (answer) => record(f, answer, performance.now() - sentAt),
      (err: Error) => void (f.errors[err.message] = (f.errors[err.message] ?? 0) + 1),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  const readRss = async () => {
    try {
      const a = await send(probe, metrics, 'GET', metrics.pathname, {});
      const rss = parseMetrics(a.body).get('process_resident_memory_bytes');
      if (rss !== undefined) rssBytes.push(rss);
    } catch {
      // counted as missing samples by the caller
    }
  };

  // The floor under any answer's latency: `/health` (exempt, a constant body) every 50 ms, one at a
  // time on a connection of its own. What the server's loop and the machine's scheduler add to the
  // cheapest answer there is, refusals included.
  let probing = true;
  const probeHealth = async () => {
    while (probing) {
      const t0 = performance.now();
      try {
        await send(healthAgent, base, 'GET', '/health', {});
        healthMs.push(performance.now() - t0);
      } catch {
        // a missing sample
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const healthDone = probeHealth();

  // Pacing by the clock: every tick sends what is due by now, each with the time it was due.
  const gapMs = 1000 / settings.ratePerSec;
  let nextRss = started;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const elapsed = Math.min(now - started, durationMs);
      const due = Math.floor(elapsed / gapMs);
      while (n < due) fire(started + n * gapMs);
      if (now >= nextRss) {
        nextRss += 1000;
        void readRss();
      }
      if (now - started >= durationMs) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  probing = false;
  await Promise.all(inFlight);
  await healthDone;
  await readRss();
  agent.destroy();
  probe.destroy();
  healthAgent.destroy();
  // `seconds` runs until the last answer: past the arrivals, the client's own backlog drains (its
  // requests wait for one of `maxSockets` connections). The rate offered is over `sendingSeconds`.
  const sendingSeconds = Math.max(lastSentAt - started, gapMs) / 1000;
  return { seconds: (performance.now() - started) / 1000, ...figures, rssBytes, latenessMs: lateness, sendingSeconds, healthMs };
}

export type OverloadResult = Readonly<{
  capacity: PhaseFigures & { servedPerSec: number };
  offeredPerSec: number;
  overload: PhaseFigures & { rssBytes: number[]; latenessMs: number[]; sendingSeconds: number; healthMs: number[] };
  rssBeforeBytes: number;
  /** Checkout requests the server answered during the overload, and within 1 s. */
  checkoutSlo: CheckoutSlo;
}>;

/** Steps 2 and 3 on a shop made by `prepareShop`; `metricsUrl` is the server's metrics listener. */
export async function runOverload(baseUrl: string, metricsUrl: string, shop: Shop, settings: OverloadSettings): Promise<OverloadResult> {
  const capacity = await measureCapacity(baseUrl, shop, settings);
  // Let the backlog of the closed loop (jobs the checkouts queued) settle before the next phase.
  await new Promise((r) => setTimeout(r, 2000));
  const before = await scrape(metricsUrl);
  const offeredPerSec = Math.max(1, Math.round(capacity.servedPerSec * settings.overloadFactor));
  const overload = await runOpenLoad(baseUrl, metricsUrl, shop, { ...settings, ratePerSec: offeredPerSec });
  const [sloBefore, sloAfter] = [checkoutSloOf(before), checkoutSloOf(await scrape(metricsUrl))];
  const checkoutSlo = {
    total: sloAfter.total - sloBefore.total,
    withinOneSecond: sloAfter.withinOneSecond - sloBefore.withinOneSecond,
    withinObjective: sloAfter.withinObjective - sloBefore.withinObjective,
  };
  return { capacity, offeredPerSec, overload, rssBeforeBytes: rssOf(before), checkoutSlo };
}

const ms = (xs: readonly number[], p: number) =>
  xs.length === 0
    ? '-'
    : `${Math.round(
        percentile(
          [...xs].sort((a, b) => a - b),
          p,
        ),
      )}`;
const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;

/** The figures as `# ...` lines (the test runner shows them; the bench prints them). */
export function describeOverload(r: OverloadResult): string[] {
  const c = r.capacity;
  const o = r.overload;
  return [
    `capacity (closed loop): ${c.servedPerSec.toFixed(0)} served/s over ${c.seconds.toFixed(1)} s; browse p50/p99 ${ms(c.browse.okMs, 50)}/${ms(c.browse.okMs, 99)} ms, checkout p50/p99 ${ms(c.checkout.okMs, 50)}/${ms(c.checkout.okMs, 99)} ms; shed ${c.browse.shed + c.checkout.shed}`,
    `overload (open model): ${r.offeredPerSec} arrivals/s, sent over ${o.sendingSeconds.toFixed(1)} s, the last answered after ${o.seconds.toFixed(1)} s (${o.browse.sent} browse, ${o.checkout.sent} checkout)`,
    `  checkout: ${o.checkout.ok} accepted, p50 ${ms(o.checkout.okMs, 50)} ms, p99 ${ms(o.checkout.okMs, 99)} ms, max ${ms(o.checkout.okMs, 100)} ms; shed ${o.checkout.shed}; other ${JSON.stringify(o.checkout.other)}; errors ${JSON.stringify(o.checkout.errors)}`,
    `  browse: ${o.browse.ok} served (p50 ${ms(o.browse.okMs, 50)} ms, p99 ${ms(o.browse.okMs, 99)} ms), ${o.browse.shed} shed with 503 + Retry-After (p50 ${ms(o.browse.shedMs, 50)} ms, p99 ${ms(o.browse.shedMs, 99)} ms); other ${JSON.stringify(o.browse.other)}, errors ${JSON.stringify(o.browse.errors)}`,
    `  checkout SLO (server histogram, as the alert rules judge it): ${r.checkoutSlo.withinObjective} of ${r.checkoutSlo.total} within ${CHECKOUT_OBJECTIVE.p99Ms} ms (${((100 * r.checkoutSlo.withinObjective) / Math.max(1, r.checkoutSlo.total)).toFixed(1)} %, objective 99 %); ${r.checkoutSlo.withinOneSecond} within 1 s`,
    `  floor: GET /health every 50 ms during the overload (exempt, the cheapest answer), p50 ${ms(o.healthMs, 50)} ms, p99 ${ms(o.healthMs, 99)} ms over ${o.healthMs.length}`,
    `  server RSS: ${mib(r.rssBeforeBytes)} before, peak ${mib(Math.max(...o.rssBytes, 0))} (${o.rssBytes.length} samples); load generator late against its clock: p50 ${ms(o.latenessMs, 50)} ms, p99 ${ms(o.latenessMs, 99)} ms`,
  ];
}

/** Served answers per second over the overload, from the first arrival to the last answer. */
export function servedPerSecond(o: PhaseFigures): number {
  return (o.browse.ok + o.checkout.ok) / o.seconds;
}

/**
 * The targets of issue 18, part 3, judged on one run:
 * - goodput: served answers per second during the overload at least 80 % of the capacity measured
 *   just before (both phases count checkouts and pages alike, as answers);
 * - checkout within its SLO (ops/slo.ts) as the alert rules judge it: 99 % of the checkouts the
 *   server answered within the objective, by its own histogram, and no answer but 2xx or a 409 (a
 *   503 counts as a failure there, as it does for a shopper). The client's p99 is printed beside
 *   it: on a shared two-core machine the niced load generator is late to read its answers too
 *   (its `lateness`), which the server's figure leaves out;
 * - refusals (503 OVERLOADED, of browsing and checkout) answered with p99 under 20 ms.
 */
export function overloadTargets(r: OverloadResult): Target[] {
  const o = r.overload;
  const served = servedPerSecond(o);
  const ratio = served / r.capacity.servedPerSec;
  const checkoutMs = [...o.checkout.okMs, ...o.checkout.shedMs];
  const sold409 = Object.entries(o.checkout.other)
    .filter(([key]) => key.startsWith('409 '))
    .reduce((n, [, count]) => n + count, 0);
  const failures = o.checkout.shed + Object.values(o.checkout.other).reduce((n, c) => n + c, 0) - sold409;
  const errors = Object.values(o.checkout.errors).reduce((n, c) => n + c, 0);
  const checkoutP99 =
    checkoutMs.length === 0
      ? NaN
      : percentile(
          [...checkoutMs].sort((a, b) => a - b),
          99,
        );
  const shedMs = [...o.browse.shedMs, ...o.checkout.shedMs].sort((a, b) => a - b);
  const shedP99 = shedMs.length === 0 ? NaN : percentile(shedMs, 99);
  return [
    {
      name: `overload: served/s at ${r.offeredPerSec} arrivals/s >= 80 % of the capacity`,
      kind: 'issue',
      verdict: ratio >= 0.8 ? 'PASS' : 'FAIL',
      detail: `${served.toFixed(0)} served/s = ${(100 * ratio).toFixed(1)} % of ${r.capacity.servedPerSec.toFixed(0)} (${o.checkout.ok} checkouts, ${o.browse.ok} pages in ${o.seconds.toFixed(1)} s)`,
    },
    {
      name: `overload: checkout within its SLO (p99 < ${CHECKOUT_OBJECTIVE.p99Ms} ms, no failure but 409)`,
      kind: 'issue',
      verdict:
        r.checkoutSlo.total > 0 && r.checkoutSlo.withinObjective >= 0.99 * r.checkoutSlo.total && failures + errors === 0 ? 'PASS' : 'FAIL',
      detail: `server: ${r.checkoutSlo.withinObjective} of ${r.checkoutSlo.total} within ${CHECKOUT_OBJECTIVE.p99Ms} ms; client p99 ${Math.round(checkoutP99)} ms of ${checkoutMs.length} answers; ${o.checkout.ok} accepted, ${o.checkout.shed} refused over its share (503), ${sold409} sold out (409), ${failures - o.checkout.shed} other failures, ${errors} connection errors`,
    },
    {
      name: 'overload: refusals answered with p99 < 20 ms',
      kind: 'issue',
      verdict: shedMs.length > 0 && shedP99 < 20 ? 'PASS' : 'FAIL',
      detail: `p99 ${Math.round(shedP99)} ms, p50 ${ms(shedMs, 50)} ms over ${shedMs.length} refusals; floor (/health) p99 ${ms(o.healthMs, 99)} ms`,
    },
  ];
}

/** `npm run bench -- --only overload`: one `atelier start` on the bench's PostgreSQL, the scenario above, its figures. */
export async function runOverloadBench(opts: {
  apiPort: number;
  metricsPort: number;
  providerPort: number;
  settings: OverloadSettings;
  env: (extra: Record<string, string>) => NodeJS.ProcessEnv;
  log: (line: string) => void;
}): Promise<OverloadResult & { lines: string[] }> {
  const env = opts.env({
    HOST: '127.0.0.1',
    PORT: String(opts.apiPort),
    METRICS_PORT: String(opts.metricsPort),
    PAYMENT_PROVIDER_PORT: String(opts.providerPort),
    COOKIE_SECURE: 'false',
    // The point of the scenario (bench/children.ts turns it off for the others); false compares.
    SHED_ENABLED: process.env.SHED_ENABLED ?? 'true',
  });
  delete env.PAYMENT_PROVIDER_URL;
  delete env.SMTP_URL;
  delete env.OUTBOX_DIR;
  opts.log('\nOverload: one `atelier start` with the shipped load-shedding settings:');
  const child = startAtelier('atelier start (overload)', ['start'], env);
  const base = `http://127.0.0.1:${opts.apiPort}`;
  try {
    await waitUntilReady(child, `${base}/health`);
    // The shoppers are not on the server's machine in production; here this process is the load
    // generator and shares the cores. It yields to the server (nice 10, for the rest of the run:
    // overload is the last part) so that its own CPU is not counted as the server's overload.
    os.setPriority(10);
    const shop = await prepareShop(base, opts.settings);
    const result = await runOverload(base, `http://127.0.0.1:${opts.metricsPort}/metrics`, shop, opts.settings);
    const lines = describeOverload(result);
    for (const line of lines) opts.log(`  ${line}`);
    if (child.process.exitCode !== null) throw new Error(`the server exited during the overload:\n${child.tail()}`);
    return { ...result, lines };
  } finally {
    await stopAtelier(child);
  }
}
