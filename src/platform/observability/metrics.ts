import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { HotCounter, HotHistogram } from './hot-metrics.ts';

/**
 * The process's Prometheus metrics, served at `/metrics` on the metrics listener (metrics-server.ts;
 * see docs/observability.md for the list). One registry per process, module-level on purpose:
 * database pools, the cache and
 * the job runner are instrumented where they are made, deep below the composition root, and
 * every container in the process (tests make several) adds to the same families.
 *
 * Hot-path families (per request, query, cache read, job) are `HotCounter`/`HotHistogram`: the
 * caller keeps the series it records into. Everything else is read at scrape time from whoever
 * owns the state (pool sizes, queue depth, breaker, replicas), through `addMetricSources`.
 */
export const registry = new Registry();

/**
 * Seconds. A request objective's p99 threshold (ops/slo.ts) must be one of these, so the alert
 * rules count the requests slower than it exactly (`npm run slo:rules` refuses one that is not).
 */
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const JOB_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/**
 * Seconds from an order's acceptance to its payment. The payment objective (ops/slo.ts,
 * PAYMENT_OBJECTIVE: paid within 10 s at p99) must be one of these; the rest show how late the
 * late ones are, up to a payment deadline's worth.
 */
export const PAYMENT_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export const httpRequests = new HotCounter(
  'atelier_http_requests_total',
  'HTTP requests answered, by route pattern, method and status class (2xx, 3xx, 4xx, 5xx).',
  ['route', 'method', 'status_class'],
).register(registry);

export const httpDuration = new HotHistogram(
  'atelier_http_request_duration_seconds',
  'Time from the request arriving to the response being sent, by route pattern and method.',
  ['route', 'method'],
  HTTP_BUCKETS,
).register(registry);

export const httpShed = new HotCounter(
  'atelier_http_shed_total',
  'Requests refused with 503 by load shedding, by priority class (sheddable, normal, critical) and reason: in_flight (the in-flight limit), share (a checkout over its share), or the signal over its threshold (event_loop_delay, event_loop_utilization, heap, rss).',
  ['class', 'reason'],
).register(registry);

export const dbQueryDuration = new HotHistogram(
  'atelier_db_query_duration_seconds',
  'SQL statement time on a pooled connection (pool wait excluded), by database and query name (operation and first table).',
  ['database', 'query'],
  QUERY_BUCKETS,
).register(registry);

export const dbQueryErrors = new HotCounter('atelier_db_query_errors_total', 'SQL statements that failed, by database and query name.', [
  'database',
  'query',
]).register(registry);

export const cacheHits = new HotCounter(
  'atelier_cache_hits_total',
  'Cache reads answered by a tier (memory, redis), by cache (the key prefix, e.g. catalog:product).',
  ['cache', 'tier'],
).register(registry);

export const cacheMisses = new HotCounter(
  'atelier_cache_misses_total',
  'Cache reads a tier could not answer, by cache and tier; a miss in the last tier runs the loader.',
  ['cache', 'tier'],
).register(registry);

export const cacheStaleHits = new HotCounter(
  'atelier_cache_stale_hits_total',
  'Cache reads answered with an expired value within its grace period (refreshing, or the database is down).',
  ['cache'],
).register(registry);

export const jobsRun = new HotCounter(
  'atelier_jobs_total',
  'Jobs run by this process, by task and outcome (ok, retry, failed: failed for good).',
  ['task', 'outcome'],
).register(registry);

export const jobDuration = new HotHistogram(
  'atelier_job_duration_seconds',
  'Time a job handler ran, by task.',
  ['task'],
  JOB_BUCKETS,
).register(registry);

export const ordersPaid = new HotCounter(
  'atelier_orders_paid_total',
  'Orders this process recorded as paid (the payment job that collected them), by currency.',
  ['currency'],
).register(registry);

export const salesAmount = new HotCounter(
  'atelier_sales_minor_units_total',
  "Totals of the orders counted by atelier_orders_paid_total, in the currency's minor units (cents), by currency.",
  ['currency'],
).register(registry);

export const orderPaymentDuration = new HotHistogram(
  'atelier_order_payment_seconds',
  'Time from an order being accepted (its checkout answered 202) to the payment job recording it paid; observed by the process that recorded it.',
  [],
  PAYMENT_BUCKETS,
).register(registry);
// Made now, not at the first payment: every worker exposes the family from its start, so a rate
// over it has a sample before the first paid order.
const paymentDuration = orderPaymentDuration.series();

/**
 * Counts a paid order and its total (minor units) once its payment committed, and how long after
 * its acceptance (`acceptedAt`, the order's creation) that was. The two times come from different
 * processes' clocks (the API host wrote `acceptedAt`): a skewed clock that would make it negative counts 0.
 */
export function recordOrderPaid(currency: string, totalMinor: number, acceptedAt: Date, paidAt = new Date()): void {
  ordersPaid.series(currency).inc();
  salesAmount.series(currency).inc(totalMinor);
  paymentDuration.observe(Math.max(0, paidAt.getTime() - acceptedAt.getTime()) / 1000);
}

/** A pg pool as the scrape sees it (pg.Pool has these counts). */
export type PoolLike = Readonly<{ totalCount: number; idleCount: number; waitingCount: number; options: { max?: number } }>;

/** Job queue figures of one database; see `queueSnapshot` in queue-metrics.ts. */
export type QueueFigures = Readonly<{ depth: number; oldestAgeSeconds: number; running: number; failed: number }>;

/** State a container owns and the scrape reads. Every member optional: a role shows what it has. */
export type MetricSources = Readonly<{
  /** Per database name: its job queue's figures, or null when the query failed or timed out. */
  queues?: () => Promise<ReadonlyArray<{ database: string; figures: QueueFigures | null }>>;
  /** Per breaker name: its state now ('closed', 'half_open' or 'open'). */
  breakers?: Readonly<Record<string, () => string>>;
  replicas?: () => ReadonlyArray<{ name: string; healthy: boolean; lagMs: number | null }>;
}>;

const pools = new Map<string, Set<PoolLike>>();
const sources = new Set<MetricSources>();

/** Counts a pool in the pool gauges until the returned function is called (when it is ended). */
export function trackPool(database: string, pool: PoolLike): () => void {
  let set = pools.get(database);
  if (!set) pools.set(database, (set = new Set()));
  set.add(pool);
  return () => set.delete(pool);
}

/** Adds a container's state to what the scrape reads; the returned function takes it away. */
export function addMetricSources(s: MetricSources): () => void {
  sources.add(s);
  return () => sources.delete(s);
}

new Gauge({
  name: 'atelier_db_pool_connections',
  help: 'Connections of the pools to a database in this process: total open, idle, and requests waiting for one.',
  labelNames: ['database', 'state'],
  registers: [registry],
  collect() {
    this.reset();
    for (const [database, set] of pools) {
      let total = 0;
      let idle = 0;
      let waiting = 0;
      for (const p of set) {
        total += p.totalCount;
        idle += p.idleCount;
        waiting += p.waitingCount;
      }
      this.set({ database, state: 'total' }, total);
      this.set({ database, state: 'idle' }, idle);
      this.set({ database, state: 'waiting' }, waiting);
    }
  },
});

new Gauge({
  name: 'atelier_db_pool_max',
  help: 'Largest number of connections the pools to a database may open in this process.',
  labelNames: ['database'],
  registers: [registry],
  collect() {
    this.reset();
    for (const [database, set] of pools) {
      let max = 0;
      for (const p of set) max += p.options.max ?? 10;
      this.set({ database }, max);
    }
  },
});

type QueueTotals = Map<string, { depth: number; oldest: number; running: number; failed: number; ok: boolean }>;
let queueRound: Promise<QueueTotals> | null = null;

/**
 * The queue figures of every source, read once per scrape: the five queue gauges are collected
 * concurrently and share the round in flight (one query per database per scrape).
 */
function queueTotals(): Promise<QueueTotals> {
  queueRound ??= (async () => {
    const totals: QueueTotals = new Map();
    for (const s of sources) {
      if (!s.queues) continue;
      for (const { database, figures } of await s.queues()) {
        const t = totals.get(database) ?? { depth: 0, oldest: 0, running: 0, failed: 0, ok: true };
        totals.set(database, t);
        if (!figures) {
          t.ok = false;
          continue;
        }
        t.depth += figures.depth;
        t.running += figures.running;
        t.failed += figures.failed;
        t.oldest = Math.max(t.oldest, figures.oldestAgeSeconds);
      }
    }
    return totals;
  })().finally(() => (queueRound = null));
  return queueRound;
}

/**
 * Merging the processes of a cluster (cluster-metrics.ts): each reads the same database-wide
 * figure, so the merged value is one of them (the max), not their sum; `scrape_ok` takes the min,
 * so one process that could not read a queue shows.
 */
function queueGauge(
  name: string,
  help: string,
  value: (t: QueueTotals extends Map<string, infer V> ? V : never) => number | null,
  aggregator: 'max' | 'min' = 'max',
): void {
  new Gauge({
    name,
    help,
    labelNames: ['database'],
    registers: [registry],
    aggregator,
    async collect() {
      const totals = await queueTotals();
      this.reset();
      for (const [database, t] of totals) {
        const v = value(t);
        if (v !== null) this.set({ database }, v);
      }
    },
  });
}

queueGauge('atelier_queue_depth', 'Jobs due now and waiting for a worker (not running, attempts left), per database queue.', (t) =>
  t.ok ? t.depth : null,
);
queueGauge(
  'atelier_queue_oldest_job_age_seconds',
  'How long the oldest due job has waited for a worker (0 when none waits), per database queue.',
  (t) => (t.ok ? t.oldest : null),
);
queueGauge('atelier_queue_running_jobs', 'Jobs locked by a worker right now, per database queue.', (t) => (t.ok ? t.running : null));
queueGauge('atelier_queue_failed_jobs', 'Jobs that used up their attempts and wait for an operator, per database queue.', (t) =>
  t.ok ? t.failed : null,
);
queueGauge(
  'atelier_queue_scrape_ok',
  '1 when the queue figures of a database were read at this scrape, 0 when the query failed or timed out.',
  (t) => (t.ok ? 1 : 0),
  'min',
);

const BREAKER_STATES = ['closed', 'half_open', 'open'] as const;
new Gauge({
  name: 'atelier_circuit_breaker_state',
  help: 'Circuit breaker state: 1 for the state a breaker is in (closed, half_open, open), 0 for the others.',
  labelNames: ['breaker', 'state'],
  registers: [registry],
  // Merged over a cluster's processes: 1 for every state some process's breaker is in.
  aggregator: 'max',
  collect() {
    this.reset();
    for (const s of sources) {
      for (const [breaker, state] of Object.entries(s.breakers ?? {})) {
        const now = state();
        for (const st of BREAKER_STATES) this.set({ breaker, state: st }, st === now ? 1 : 0);
      }
    }
  },
});

new Gauge({
  name: 'atelier_replica_lag_seconds',
  help: 'Replication lag of a catalog read replica as last measured (absent while unmeasured or unreachable).',
  labelNames: ['replica'],
  registers: [registry],
  aggregator: 'max',
  collect() {
    this.reset();
    for (const s of sources) for (const r of s.replicas?.() ?? []) if (r.lagMs !== null) this.set({ replica: r.name }, r.lagMs / 1000);
  },
});

new Gauge({
  name: 'atelier_replica_healthy',
  help: '1 when a catalog read replica is in rotation (serves reads), 0 when it is out (lagging, unreachable, starting).',
  labelNames: ['replica'],
  registers: [registry],
  // Merged over a cluster's processes: 0 when any process has it out of rotation.
  aggregator: 'min',
  collect() {
    this.reset();
    for (const s of sources) for (const r of s.replicas?.() ?? []) this.set({ replica: r.name }, r.healthy ? 1 : 0);
  },
});

let processMetrics = false;
/**
 * prom-client's process and Node.js metrics: resident memory, heap, GC, handles, and event-loop
 * delay (`nodejs_eventloop_lag_*`, from perf_hooks.monitorEventLoopDelay at 10 ms resolution).
 */
export function startProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
}

export const METRICS_CONTENT_TYPE = registry.contentType;

/** The exposition text for a scrape. */
export function renderMetrics(): Promise<string> {
  return registry.metrics();
}
