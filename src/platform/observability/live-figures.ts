import { registry } from './metrics.ts';

/**
 * The operator console's "Now": figures an operator reads at a glance (orders a minute, sales,
 * error rate, p99 latency, queues, cache hit ratio, replicas, breakers), computed from this
 * process's own metrics registry, the one `/metrics` exposes. Counters are sampled every
 * `intervalMs` and kept for `keepMs`: a rate is the difference between now and the sample a
 * window ago (the oldest one while the process is younger than the window), the way Prometheus'
 * `increase()` reads the same series. Gauges (queues, breakers, replicas) are read as they are now.
 *
 * Per process: with several API processes or separate workers, each shows what it served (the
 * paid orders are counted by the process whose job collected the payment). Prometheus, over all
 * processes, is the fleet's view (docs/observability.md).
 */
export type LiveFiguresSettings = Readonly<{ intervalMs: number; keepMs: number; windowMs: number; historyMs: number }>;

export const LIVE_FIGURES_DEFAULTS: LiveFiguresSettings = {
  intervalMs: 10_000,
  keepMs: 60 * 60_000,
  windowMs: 60_000,
  historyMs: 15 * 60_000,
};

/** Counter values at one moment; `buckets` are the request latency histogram's cumulative counts per upper bound. */
type Sample = Readonly<{
  at: number;
  requests: number;
  serverErrors: number;
  buckets: ReadonlyMap<number, number>;
  ordersByCurrency: ReadonlyMap<string, number>;
  salesByCurrency: ReadonlyMap<string, number>;
  cacheReads: number;
  cacheHits: number;
}>;

export type Money = Readonly<{ currency: string; amount: number }>;

/** Rates and ratios between two samples. */
export type WindowFigures = Readonly<{
  /** The window actually covered (shorter while the process is young). */
  seconds: number;
  orders: number;
  ordersPerMinute: number;
  /** Totals of the orders paid in the window, in minor units, per currency. */
  sales: Money[];
  requests: number;
  requestsPerSecond: number;
  /** Share of requests answered 5xx (0..1); null with no request in the window. */
  errorRate: number | null;
  /** 99th percentile of request latency, interpolated within the histogram's bucket; null with no request. */
  p99LatencyMs: number | null;
  /** Cache reads answered by a tier (memory or Redis) over all reads (0..1); null with no read. */
  cacheHitRatio: number | null;
}>;

export type QueueNow = Readonly<{ database: string; depth: number; oldestJobAgeSeconds: number; running: number; failed: number }>;
export type ReplicaNow = Readonly<{ name: string; healthy: boolean; lagSeconds: number | null }>;
export type BreakerNow = Readonly<{ name: string; state: string }>;

export type NowFigures = Readonly<{
  at: string;
  /** How long this process has been sampling: the figures cover at most that. */
  sampledForSeconds: number;
  lastMinute: WindowFigures;
  lastHour: WindowFigures;
  queues: QueueNow[];
  cacheHitRatio: number | null;
  replicas: ReplicaNow[];
  breakers: BreakerNow[];
  /** One point per sampling interval over the last `historyMs`, oldest first: the charts. */
  history: Array<WindowFigures & { at: string }>;
}>;

type MetricValue = { labels: Record<string, string | number>; value: number; metricName?: string };

async function valuesOf(name: string): Promise<MetricValue[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  const got = (await metric.get()) as { values: MetricValue[] };
  return got.values;
}

const sum = (values: MetricValue[], keep: (v: MetricValue) => boolean = () => true) =>
  values.reduce((n, v) => (keep(v) ? n + v.value : n), 0);

function byLabel(values: MetricValue[], label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) {
    const key = String(v.labels[label] ?? '');
    out.set(key, (out.get(key) ?? 0) + v.value);
  }
  return out;
}

async function takeSample(): Promise<Sample> {
  const [requests, duration, orders, sales, hits, misses] = await Promise.all([
    valuesOf('atelier_http_requests_total'),
    valuesOf('atelier_http_request_duration_seconds'),
    valuesOf('atelier_orders_paid_total'),
    valuesOf('atelier_sales_minor_units_total'),
    valuesOf('atelier_cache_hits_total'),
    valuesOf('atelier_cache_misses_total'),
  ]);
  const buckets = new Map<number, number>();
  for (const v of duration) {
    if (v.metricName !== 'atelier_http_request_duration_seconds_bucket') continue;
    const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + v.value);
  }
  const memoryHits = sum(hits, (v) => v.labels.tier === 'memory');
  const memoryMisses = sum(misses, (v) => v.labels.tier === 'memory');
  return {
    at: Date.now(),
    requests: sum(requests),
    serverErrors: sum(requests, (v) => v.labels.status_class === '5xx'),
    buckets,
    ordersByCurrency: byLabel(orders, 'currency'),
    salesByCurrency: byLabel(sales, 'currency'),
    // Every read asks the memory tier first; an answer from Redis is a memory miss and a hit.
    cacheReads: memoryHits + memoryMisses,
    cacheHits: sum(hits),
  };
}

/**
 * The q-quantile of the requests between two samples, Prometheus' `histogram_quantile`: linear
 * within the bucket it falls in; in the +Inf bucket, the largest finite bound.
 */
export function quantileMs(from: ReadonlyMap<number, number>, to: ReadonlyMap<number, number>, q: number): number | null {
  const bounds = [...to.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => (to.get(b) ?? 0) - (from.get(b) ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! < rank) continue;
    const upper = bounds[i]!;
    const lower = i === 0 ? 0 : bounds[i - 1]!;
    if (upper === Infinity) return lower * 1000;
    const below = i === 0 ? 0 : counts[i - 1]!;
    const inBucket = counts[i]! - below;
    const share = inBucket > 0 ? (rank - below) / inBucket : 1;
    return Math.round((lower + (upper - lower) * share) * 1000 * 10) / 10;
  }
  return null;
}

const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

function between(a: Sample, b: Sample): WindowFigures {
  const seconds = Math.max((b.at - a.at) / 1000, 0.001);
  const orders = [...b.ordersByCurrency].reduce((n, [c, v]) => n + v - (a.ordersByCurrency.get(c) ?? 0), 0);
  const sales = [...b.salesByCurrency]
    .map(([currency, v]) => ({ currency, amount: v - (a.salesByCurrency.get(currency) ?? 0) }))
    .filter((m) => m.amount > 0)
    .sort((x, y) => (x.currency < y.currency ? -1 : 1));
  const requests = b.requests - a.requests;
  return {
    seconds: Math.round(seconds * 10) / 10,
    orders,
    ordersPerMinute: Math.round((orders / seconds) * 60 * 100) / 100,
    sales,
    requests,
    requestsPerSecond: Math.round((requests / seconds) * 100) / 100,
    errorRate: ratio(b.serverErrors - a.serverErrors, requests),
    p99LatencyMs: quantileMs(a.buckets, b.buckets, 0.99),
    cacheHitRatio: ratio(b.cacheHits - a.cacheHits, b.cacheReads - a.cacheReads),
  };
}

async function gaugesNow(): Promise<Pick<NowFigures, 'queues' | 'replicas' | 'breakers'>> {
  const [depth, oldest, running, failed, lag, healthy, breakers] = await Promise.all([
    valuesOf('atelier_queue_depth'),
    valuesOf('atelier_queue_oldest_job_age_seconds'),
    valuesOf('atelier_queue_running_jobs'),
    valuesOf('atelier_queue_failed_jobs'),
    valuesOf('atelier_replica_lag_seconds'),
    valuesOf('atelier_replica_healthy'),
    valuesOf('atelier_circuit_breaker_state'),
  ]);
  const at = (values: MetricValue[], label: string) => byLabel(values, label);
  const [o, r, f] = [at(oldest, 'database'), at(running, 'database'), at(failed, 'database')];
  const lags = at(lag, 'replica');
  return {
    queues: [...at(depth, 'database')].map(([database, n]) => ({
      database,
      depth: n,
      oldestJobAgeSeconds: o.get(database) ?? 0,
      running: r.get(database) ?? 0,
      failed: f.get(database) ?? 0,
    })),
    replicas: [...at(healthy, 'replica')].map(([name, h]) => ({ name, healthy: h === 1, lagSeconds: lags.get(name) ?? null })),
    breakers: breakers.filter((v) => v.value === 1).map((v) => ({ name: String(v.labels.breaker), state: String(v.labels.state) })),
  };
}

export type LiveFigures = Readonly<{
  /** The figures now: a fresh sample against the kept ones, and the gauges as they are. */
  now(): Promise<NowFigures>;
  stop(): void;
}>;

export function startLiveFigures(settings: LiveFiguresSettings = LIVE_FIGURES_DEFAULTS): LiveFigures {
  const samples: Sample[] = [];
  const keep = (s: Sample) => {
    samples.push(s);
    while (samples.length > 0 && samples[0]!.at < s.at - settings.keepMs) samples.shift();
  };
  const first = takeSample().then(keep);
  const timer = setInterval(() => void takeSample().then(keep), settings.intervalMs);
  timer.unref();
  /** The latest kept sample at least `ms` before `at`, or the oldest one. */
  const ago = (at: number, ms: number, current: Sample) => {
    let found: Sample | undefined;
    for (const s of samples) if (s.at <= at - ms) found = s;
    return found ?? samples[0] ?? current;
  };
  return {
    async now() {
      await first;
      const current = await takeSample();
      const history: NowFigures['history'] = [];
      const recent = [...samples.filter((s) => s.at >= current.at - settings.historyMs), current];
      for (let i = 1; i < recent.length; i++) {
        history.push({ at: new Date(recent[i]!.at).toISOString(), ...between(recent[i - 1]!, recent[i]!) });
      }
      const lastMinute = between(ago(current.at, settings.windowMs, current), current);
      return {
        at: new Date(current.at).toISOString(),
        sampledForSeconds: Math.round((current.at - (samples[0]?.at ?? current.at)) / 1000),
        lastMinute,
        lastHour: between(ago(current.at, 60 * 60_000, current), current),
        cacheHitRatio: lastMinute.cacheHitRatio,
        ...(await gaugesNow()),
        history,
      };
    },
    stop() {
      clearInterval(timer);
    },
  };
}
