import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { dbQueryDuration, dbQueryErrors, trackPool } from './metrics.ts';
import type { HotCounterSeries, HotHistogramSeries } from './hot-metrics.ts';
import { MAX_QUERY_NAMES, queryName } from './query-names.ts';
import { activeTracer, activeSpan, failSpan, SpanKind, type Attributes } from './tracing.ts';

type QueryInstruments = {
  readonly name: string;
  readonly duration: HotHistogramSeries;
  readonly errors: HotCounterSeries;
  /** The span attributes of this text, made on its first traced run. */
  spanAttributes?: Attributes;
};

/** Statement texts remembered per pool (one per call site, and per length of an `in (...)` list). */
const MAX_TEXTS = 2000;
const knownNames = new Set<string>();

/**
 * Times every statement run on the pool's connections (`atelier_db_query_duration_seconds`, by
 * database and query name), counts its failures, makes a span per statement run inside a traced
 * operation (a request, a job) when tracing is on, and counts the pool in the pool gauges until
 * it is ended. Statements outside any span (graphile-worker polling for jobs and completing them,
 * LISTEN, start-up) make none: each would be a trace of its own, noise at every poll.
 *
 * It wraps `query` on each new connection rather than adding a Kysely plugin, because everything
 * reaches the pool the same way: the Kysely of the database, the shard router's per-shard Kysely
 * (which borrows these connections), raw `sql` templates and graphile-worker. The cost per
 * statement is a Map lookup by its text, two clock reads and a histogram increment; the time is
 * the statement's on the connection, without the wait for a free connection (that shows as
 * `atelier_db_pool_connections{state="waiting"}`).
 */
export function instrumentPool(database: string, pool: pg.Pool): void {
  const untrack = trackPool(database, pool);
  const end = pool.end.bind(pool) as (...args: unknown[]) => unknown;
  (pool as { end: (...args: unknown[]) => unknown }).end = (...args: unknown[]) => {
    untrack();
    return end(...args);
  };

  const byText = new Map<string, QueryInstruments>();
  const instrumentsFor = (text: string): QueryInstruments => {
    let q = byText.get(text);
    if (q) return q;
    let name = queryName(text);
    if (!knownNames.has(name)) {
      if (knownNames.size >= MAX_QUERY_NAMES) name = 'other';
      else knownNames.add(name);
    }
    q = { name, duration: dbQueryDuration.series(database, name), errors: dbQueryErrors.series(database, name) };
    if (byText.size >= MAX_TEXTS) byText.clear();
    byText.set(text, q);
    return q;
  };

  pool.on('connect', (client: pg.PoolClient) => {
    // Called with the client as `this`, exactly as pg's own method would be.
    const original = (client as { query: (...args: unknown[]) => unknown }).query;
    (client as { query: unknown }).query = function instrumentedQuery(this: pg.PoolClient, ...args: unknown[]): unknown {
      const config = args[0] as string | { text?: unknown; submit?: unknown } | null | undefined;
      // Submittables (cursors, streams) go through untouched: nothing here uses them.
      if (typeof config !== 'string' && (config === null || typeof config !== 'object' || typeof config.submit === 'function')) {
        return original.apply(this, args);
      }
      const text = typeof config === 'string' ? config : typeof config.text === 'string' ? config.text : '';
      const q = instrumentsFor(text);
      const tracer = activeTracer();
      const span =
        tracer && activeSpan()
          ? tracer.startSpan(q.name, {
              kind: SpanKind.CLIENT,
              attributes: (q.spanAttributes ??= {
                'db.system.name': 'postgresql',
                'db.namespace': database,
                'db.operation.name': q.name.split(' ', 1)[0],
                'db.query.text': text.length > 2000 ? `${text.slice(0, 2000)}...` : text,
              }),
            })
          : undefined;
      const started = performance.now();
      const settled = (err: unknown) => {
        q.duration.observe((performance.now() - started) / 1000);
        if (err) q.errors.inc();
        if (span) {
          if (err) failSpan(span, err);
          span.end();
        }
      };
      const callback = args[args.length - 1];
      if (typeof callback === 'function') {
        // pool.query() and older callers: the callback is the only place the end is seen.
        args[args.length - 1] = (err: unknown, res: unknown) => {
          settled(err);
          (callback as (e: unknown, r: unknown) => void)(err, res);
        };
        return original.apply(this, args);
      }
      return (original.apply(this, args) as Promise<unknown>).then(
        (value) => {
          settled(null);
          return value;
        },
        (err: unknown) => {
          settled(err ?? new Error('query failed'));
          throw err;
        },
      );
    };
  });
}
