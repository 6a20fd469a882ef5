import os from 'node:os';
import v8 from 'node:v8';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { HotCounterSeries } from '../observability/hot-metrics.ts';
import { httpShed } from '../observability/metrics.ts';

/**
 * Load shedding at the edge (DESIGN.md, "Protecting the service"): when this process is
 * overloaded, it refuses the requests that matter least, cheaply and early, so the ones that
 * matter most (checkout, order status, cart, sign-in) keep their latency.
 *
 * @fastify/under-pressure samples the signals off the request path, every `sampleIntervalMs`: the
 * mean event-loop delay over the last interval (perf_hooks.monitorEventLoopDelay), heap used and
 * RSS. Its `onRequest` hook compares the last sample with the level-1 thresholds (a few
 * comparisons, no syscall) and calls `pressureHandler` below only when one is passed; that handler
 * applies the priority of the request's route:
 *
 * | level | when (any signal)                                                      | refused                    |
 * | ----- | ---------------------------------------------------------------------- | -------------------------- |
 * | 1     | delay > `eventLoopDelayMs`, heap > `heapUsedBytes`, RSS > `rssBytes`     | `sheddable`                |
 * | 2     | delay > 2 x `eventLoopDelayMs`, or memory half-way from its threshold to its limit | `sheddable` and `normal` |
 *
 * `critical` routes and `exempt` ones (probes, metrics) are never refused here: checkout is
 * protected by its rate limits instead. Refused requests get `503`, `Retry-After` and
 * `{ error: { code: 'OVERLOADED', message } }`, are counted in `atelier_http_shed_total{class,reason}`
 * and logged at most once a second (a storm of log lines is itself load).
 *
 * The refusal is sent from here rather than thrown to the error handler: that handler logs every
 * 5xx at error level, once per refused request.
 */
export type LoadSheddingSettings = Readonly<{
  enabled: boolean;
  /** Mean event-loop delay (ms) over one sample; 0: not checked. Level 2 at twice this. */
  eventLoopDelayMs: number;
  /** V8 heap in use; 0: not checked. Level 2 half-way to the heap limit. */
  heapUsedBytes: number;
  /** Resident set size; 0: not checked. Level 2 half-way to the memory limit. */
  rssBytes: number;
  retryAfterSeconds: number;
  sampleIntervalMs: number;
}>;

/**
 * How much a route matters when the process is overloaded. `browse` is public browsing: shed at
 * level 1 for anonymous clients, at level 2 for signed-in ones (whose next step may be a purchase).
 */
export type RoutePriority = 'critical' | 'normal' | 'browse' | 'sheddable' | 'exempt';

/** The class a refused request is counted under. */
type ShedClass = 'sheddable' | 'normal';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set for every route when load shedding is installed (see load-shedding.ts). */
    priority?: RoutePriority;
  }
}

/**
 * The memory a process may use before it is killed or fails: the V8 heap limit (`--max-old-space-size`
 * or V8's default for the machine) and the smaller of the machine's memory and the container's
 * (cgroup) limit. The default thresholds and the level-2 thresholds are derived from them.
 */
export function memoryLimits(): { heapBytes: number; memoryBytes: number } {
  const constrained = process.constrainedMemory?.() ?? 0;
  const total = os.totalmem();
  return {
    heapBytes: v8.getHeapStatistics().heap_size_limit,
    // No cgroup limit reads as 0 or as 2^64 depending on the Node version.
    memoryBytes: constrained > 0 && constrained < total ? constrained : total,
  };
}

/** Threshold defaults: shed before V8 runs out of heap or the kernel out of memory, with room for the GC to work. */
export const DEFAULT_MEMORY_FRACTION = 0.75;

const SHED_REASONS = { eventLoopDelay: 'event_loop_delay', heapUsedBytes: 'heap', rssBytes: 'rss' } as const;
type Reason = (typeof SHED_REASONS)[keyof typeof SHED_REASONS];

/** Level-2 threshold of a memory signal: half-way from its level-1 threshold to the limit (0 stays off). */
function halfWay(threshold: number, limit: number): number {
  return threshold > 0 ? threshold + Math.max(0, limit - threshold) / 2 : 0;
}

/**
 * Installs load shedding on `server`. Call before any route is registered (each route's priority
 * is looked up in `priorities` as it is added) and before the rate limits (a refusal here is
 * cheaper than a count in Redis).
 *
 * @param priorities keyed `METHOD /full/url/:pattern`; a route not listed is `normal`, and a
 *   request that matches no route (404) is `sheddable`.
 * @param signedIn whether a request carries credentials (checked on the raw headers: the session
 *   is not looked up before the request is admitted).
 */
export async function installLoadShedding(
  server: FastifyInstance,
  settings: LoadSheddingSettings,
  deps: {
    priorities: ReadonlyMap<string, RoutePriority>;
    signedIn: (request: FastifyRequest) => boolean;
    log: Logger;
  },
): Promise<void> {
  if (!settings.enabled) return;
  const limits = memoryLimits();
  const level2 = {
    eventLoopDelay: settings.eventLoopDelayMs * 2,
    heapUsed: halfWay(settings.heapUsedBytes, limits.heapBytes),
    rssBytes: halfWay(settings.rssBytes, limits.memoryBytes),
  };
  const retryAfter = String(settings.retryAfterSeconds);
  const series = new Map<string, HotCounterSeries>();
  const counter = (cls: ShedClass, reason: Reason) => {
    const key = `${cls} ${reason}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = httpShed.series(cls, reason)));
    return s;
  };
  let lastLogAt = 0;
  let shedSinceLog = 0;

  const priorityOf = (methods: readonly string[], url: string | undefined): RoutePriority => {
    // A route serving several methods takes the most protected of their priorities.
    const listed = methods.map((m) => deps.priorities.get(`${m === 'HEAD' ? 'GET' : m} ${url}`)).filter((p) => p !== undefined);
    return listed.find((p) => p === 'exempt') ?? listed.find((p) => p === 'critical') ?? listed[0] ?? 'normal';
  };
  server.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    route.config = { ...route.config, priority: priorityOf(methods.map(String), route.url) };
  });

  /** The level-2 signal that is passed now, if any, with its value. */
  const overLevel2 = (): [Reason, number] | null => {
    const now = server.memoryUsage();
    if (settings.eventLoopDelayMs > 0 && now.eventLoopDelay > level2.eventLoopDelay) return ['event_loop_delay', now.eventLoopDelay];
    if (level2.heapUsed > 0 && now.heapUsed > level2.heapUsed) return ['heap', now.heapUsed];
    if (level2.rssBytes > 0 && now.rssBytes > level2.rssBytes) return ['rss', now.rssBytes];
    return null;
  };

  const refuse = (reply: FastifyReply, cls: ShedClass, reason: Reason, value: number | undefined) => {
    counter(cls, reason).inc();
    shedSinceLog++;
    const now = Date.now();
    if (now - lastLogAt >= 1000) {
      deps.log.warn({ reason, value, shed: shedSinceLog, lastClass: cls }, 'shedding load: refusing requests with 503');
      lastLogAt = now;
      shedSinceLog = 0;
    }
    void reply.code(503).header('retry-after', retryAfter);
    return { error: { code: 'OVERLOADED', message: `The service is overloaded; try again in ${retryAfter} s` } };
  };

  await server.register(underPressure, {
    maxEventLoopDelay: settings.eventLoopDelayMs,
    maxHeapUsedBytes: settings.heapUsedBytes,
    maxRssBytes: settings.rssBytes,
    sampleInterval: settings.sampleIntervalMs,
    // Called only while a level-1 threshold is passed. A returned body is sent as the answer (the
    // plugin's documented contract, wider than its typings); undefined lets the request through.
    pressureHandler: ((request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
      // Routes added before this plugin (the metrics scrape) are looked up here, under pressure only.
      const priority = request.is404
        ? 'sheddable'
        : (request.routeOptions.config.priority ?? priorityOf([request.method], request.routeOptions.url));
      if (priority === 'critical' || priority === 'exempt') return undefined;
      const reason = SHED_REASONS[type as keyof typeof SHED_REASONS] ?? 'event_loop_delay';
      if (priority === 'sheddable' || (priority === 'browse' && !deps.signedIn(request))) {
        return refuse(reply, 'sheddable', reason, value);
      }
      const severe = overLevel2();
      return severe === null ? undefined : refuse(reply, 'normal', severe[0], severe[1]);
    }) as never,
  });
}
