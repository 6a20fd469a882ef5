import os from 'node:os';
import v8 from 'node:v8';
import fastifyUnderPressure from '@fastify/under-pressure';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { httpDuration, httpRequests, httpShed } from '../observability/metrics.ts';

/**
 * Load shedding at the edge (docs/resiliency.md, "Load shedding"): when this process is
 * overloaded, it refuses the requests that matter least, cheaply and early, so the ones that
 * matter most (checkout, order status, cart, sign-in) keep their latency.
 *
 * @fastify/under-pressure samples the signals off the request path, every `sampleIntervalMs`: the
 * mean event-loop delay over the interval (perf_hooks.monitorEventLoopDelay), the event loop's
 * utilisation over the interval (the share of time it was not idle), heap used and RSS. A request
 * is then judged on the last sample with a few comparisons, no syscall:
 *
 * | level | when (any signal)                                                                  | refused                 |
 * | ----- | ---------------------------------------------------------------------------------- | ----------------------- |
 * | 1     | delay > `eventLoopDelayMs`, utilisation > `eventLoopUtilization`, heap or RSS over | `sheddable`             |
 * | 2     | delay > 2 x `eventLoopDelayMs`, or heap or RSS half-way from its threshold to its limit | `sheddable`, `normal` |
 *
 * The signals find a sick process (a loop held by long synchronous work, memory running out). A
 * merely busy one is the in-flight limit's (`maxInFlight`, see `installLoadShedding`): at twice the
 * capacity utilisation sits at 1 and the mean event-loop delay between 15 and 60 ms (each loop turn
 * is short; the queue is in the sockets), and refusing every anonymous page for as long as
 * utilisation stayed up served 2.7 % of the capacity (issue 18). Utilisation is off by default.
 *
 * `critical` routes and `exempt` ones (probes, metrics) are never refused for a signal or the
 * in-flight limit; the `bounded` routes (checkout) have a share of their own. Refused requests get `503`, `Retry-After` and
 * `{ error: { code: 'OVERLOADED', message } }` (or, for a page, the `refusalPage` given: the site's
 * "we are busy" page), are counted in `atelier_http_shed_total{class,reason}`
 * and logged at most once a second (a storm of log lines is itself load). The refusal is sent
 * directly rather than thrown to the error handler, which logs every 5xx at error level.
 */
export type LoadSheddingSettings = Readonly<{
  enabled: boolean;
  /** Mean event-loop delay (ms) over one sample; 0: not checked. Level 2 at twice this. */
  eventLoopDelayMs: number;
  /** Share of one sample's time the event loop was busy (0-1); 0: not checked. Level 1 only. */
  eventLoopUtilization: number;
  /** V8 heap in use; 0: not checked. Level 2 half-way to the heap limit. */
  heapUsedBytes: number;
  /** Resident set size; 0: not checked. Level 2 half-way to the memory limit. */
  rssBytes: number;
  retryAfterSeconds: number;
  sampleIntervalMs: number;
  /** Nothing is shed until this long after the server is ready (and at least two samples): see `armed`. */
  warmUpMs: number;
  /**
   * Requests in flight in this process past which a new one that is not `critical` or `exempt` is
   * refused at the front door, whatever the signals say; 0: no limit. See `installLoadShedding`.
   * With `inFlightTargetMs`, the ceiling of a limit that adapts.
   */
  maxInFlight: number;
  /** Mean time in flight the limit steers to (see `nextInFlightLimit`); 0: the limit is `maxInFlight`, fixed. */
  inFlightTargetMs: number;
  /** Requests of the `bounded` routes (checkout) that run at once; 0: no bound. */
  boundedConcurrency: number;
  /** How long a request of a bounded route waits for a free place before it is refused; 0: refused at once. */
  boundedQueueMs: number;
}>;

/**
 * How much a route matters when the process is overloaded. `browse` is public browsing: shed at
 * level 1 for anonymous clients, at level 2 for signed-in ones (whose next step may be a purchase).
 */
export type RoutePriority = 'critical' | 'normal' | 'browse' | 'sheddable' | 'exempt';

/** A refusal's answer other than the JSON error: its bytes and their content type (sent with 503, Retry-After, no-store). */
export type RefusalPage = Readonly<{ body: Buffer; contentType: string }>;

/** The class a refused request is counted under: `critical` only for a bounded route over its share. */
type ShedClass = 'sheddable' | 'normal' | 'critical';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set for every route when load shedding is installed (see load-shedding.ts). */
    priority?: RoutePriority;
    /** Set when the route is one of the `bounded` ones: at most `boundedConcurrency` of them run at once. */
    bounded?: boolean;
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

/** Memory threshold defaults: shed before V8 runs out of heap or the kernel out of memory, with room for the GC to work. */
export const DEFAULT_MEMORY_FRACTION = 0.75;

const SHED_REASONS = {
  eventLoopDelay: 'event_loop_delay',
  eventLoopUtilization: 'event_loop_utilization',
  heapUsedBytes: 'heap',
  rssBytes: 'rss',
} as const;
/** A signal's reason, or `in_flight` (the front door's limit) or `share` (a bounded route over its share). */
type Reason = (typeof SHED_REASONS)[keyof typeof SHED_REASONS] | 'in_flight' | 'share';

/** Level-2 threshold of a memory signal: half-way from its level-1 threshold to the limit (0 stays off). */
function halfWay(threshold: number, limit: number): number {
  return threshold > 0 ? threshold + Math.max(0, limit - threshold) / 2 : 0;
}

/** At the front door, level 1 lasts this long after the last sample that was over a threshold (see `installLoadShedding`). */
const HOLD_MS = 1000;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
};

/**
 * The adaptive in-flight limit never goes below this: the connections a closed loop needs to
 * saturate one process (the overload bench measures the capacity with 32), so the limit never
 * caps what is served below the capacity. With a floor of 8, on a machine whose CPU other processes
 * took, every request was slow whatever the limit; the limit fell to its floor and capped what was
 * served at 8 over that slowness (test/overload.test.ts, 2026-12-07: 51 served/s of 142).
 */
export const MIN_IN_FLIGHT = 32;

/** What the front door saw during one sample interval, for the in-flight limit. */
export type FlightWindow = Readonly<{ completed: number; totalMs: number; peak: number }>;

/**
 * The in-flight limit after one sample interval, additive increase and multiplicative decrease on
 * the mean time its requests spent in flight: over `targetMs`, a tenth off (never below
 * MIN_IN_FLIGHT); under it, while the limit was reached, a sixteenth more (at least one, never
 * over `max`). Time in flight is what a shopper waits and what grows first when the process takes
 * in more than it serves (Little's law: in flight = served/s x time in flight), so steering it
 * keeps the admitted queue short whatever the capacity is: a fixed 64 is 30 ms of queue at 2,000
 * answers a second and 1.6 s at 40 (seen on a busy shared machine, 2026-12-07).
 */
export function nextInFlightLimit(limit: number, w: FlightWindow, s: Readonly<{ max: number; targetMs: number }>): number {
  if (w.completed === 0) return limit;
  if (w.totalMs / w.completed > s.targetMs) return Math.max(Math.min(MIN_IN_FLIGHT, s.max), Math.floor(limit * 0.9));
  if (w.peak >= limit) return Math.min(s.max, limit + Math.max(1, Math.floor(limit / 16)));
  return limit;
}

/** Samples after the server is ready that are not judged (see `armed` in `installLoadShedding`): the first may span start-up work. */
const WARM_UP_SAMPLES = 2;

/**
 * Installs load shedding on `server`, in three places:
 *
 * - the front door, ahead of Fastify, on the raw request, before Fastify makes a request, a reply,
 *   a request id or runs a hook (refused in Fastify's `onRequest`, a request still cost about 0.4
 *   of a cached product page in development runs of test/overload.test.ts, and at twice the
 *   capacity the refusals alone kept the event loop saturated). Two rules:
 *   - the in-flight limit: while `limit` requests are in flight in this process, a new one that
 *     is not `critical` or `exempt` is refused, whoever sends it. The limit adapts, every sample
 *     interval, between MIN_IN_FLIGHT and `maxInFlight` (`nextInFlightLimit`), to keep the mean
 *     time in flight near `inFlightTargetMs`. This is what keeps a
 *     saturated process serving its capacity: the work it admits is bounded, so the requests it
 *     admits finish at the rate it can serve them and the excess is answered at once, at the cost
 *     of parsing its headers. Refusing on a sampled signal instead (utilisation, issue 18) refused
 *     every anonymous page for as long as the signal stayed up, and served 2.7 % of the capacity.
 *     A request is in flight from its raw `request` event to its response's `close`.
 *   - under a signal (below): an anonymous GET of a `browse` or `sheddable` route (the bulk of a
 *     spike), matched against the priority table's GET patterns, only while under pressure.
 *   These refusals are not in `atelier_http_requests_total` (Fastify never sees them);
 *   `atelier_http_shed_total` counts them.
 * - @fastify/under-pressure's `onRequest` hook for everything else under a signal (signed-in
 *   browsing, reports, `normal` routes at level 2, and requests made with `inject`).
 * - the share of the `bounded` routes (checkout): at most `boundedConcurrency` of them run at once;
 *   one more waits up to `boundedQueueMs` for a place, first come first served, and is refused if
 *   none frees. Checkout is `critical` (no signal and no in-flight limit refuses it) but each costs
 *   tens of pages: admitted without a bound, at twice the capacity the checkouts alone took the
 *   machine and browsing was all refused (issue 18). Judged in an `onRequest` hook, before the
 *   body is parsed, the session looked up or the rate limits counted.
 *
 * Call before any route is registered (each route's priority is looked up as it is added) and
 * before the rate limits (a refusal here is cheaper than a count in Redis).
 *
 * The front door holds level 1 for `HOLD_MS` after the last sample that was over a threshold.
 * Without it, at twice the capacity the server alternates: one sample sheds, the backlog drains,
 * the next sample admits the whole flood, and each admitted sample adds its excess to the latency
 * of every checkout queued behind it. With it, the flood gets in for at most one sample a second.
 * The price: for a second after the pressure ends, anonymous browsing is still refused.
 *
 * @param priorities keyed `METHOD /full/url/:pattern`; a route not listed is `normal`, and a
 *   request that matches no route (404) is `sheddable`.
 * @param bounded keys of the same form: the routes whose concurrency `boundedConcurrency` bounds.
 * @param signedIn whether a request carries credentials, from its raw headers (the session is not
 *   looked up before the request is admitted; a client that fakes one is shed at level 2).
 * @param refusalPage the answer a refused request gets instead of the JSON error, when it gives
 *   one: the site's "we are busy" page for a person's browser (app/http.ts decides who gets it,
 *   from the path and the headers; this module knows no pages). Built once, before any pressure:
 *   it is sent while the process is overloaded, at the front door too.
 */
export async function installLoadShedding(
  server: FastifyInstance,
  settings: LoadSheddingSettings,
  deps: {
    priorities: ReadonlyMap<string, RoutePriority>;
    bounded?: ReadonlySet<string>;
    signedIn: (headers: IncomingHttpHeaders) => boolean;
    log: Logger;
    refusalPage?: (path: string, headers: IncomingHttpHeaders) => RefusalPage | null;
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
  const body = { error: { code: 'OVERLOADED', message: `The service is overloaded; try again in ${retryAfter} s` } };
  const rawBody = Buffer.from(JSON.stringify(body));
  const rawHeaders = { 'content-type': 'application/json; charset=utf-8', 'retry-after': retryAfter, 'content-length': rawBody.length };

  // Armed once the samples measure serving, not starting (issue 13: 503 OVERLOADED right after
  // /ready). The sampler starts here, when this plugin registers, before any route; registering
  // the routes and compiling their schemas, until the server is ready, keeps the event loop busy
  // (1.6 s in a development run of `atelier start`, more on a busy host). The first sample after
  // that reports it as load (utilisation 1: test/startup-shedding.test.ts saw its 20 requests all
  // refused for event_loop_utilization), and the front door's hold stretches it. Each sample
  // covers the interval since the one before, so from the second one after ready the readings are
  // of the server as it serves. A second cause stays for a moment: what the process does only once
  // it runs (tsx compiling a module on its first import, the jobs start-up queued, cold caches)
  // still made one sample read utilisation 1 in a later run of that test, 11 requests in. Hence
  // also `warmUpMs` (SHED_WARM_UP_MS, 3 s): a node that has just started has no backlog of its own to shed.
  let armed = false;
  let lastLogAt = 0;
  let shedSinceLog = 0;
  let holdUntil = 0;
  let holdReason: Reason = 'event_loop_delay';
  /** Set once the sampler is registered: whether the last sample passed a level-1 threshold. */
  let pressured: () => boolean = () => false;
  let sample: () => { eventLoopDelay: number; eventLoopUtilized: number; heapUsed: number; rssBytes: number } = () => ({
    eventLoopDelay: 0,
    eventLoopUtilized: 0,
    heapUsed: 0,
    rssBytes: 0,
  });

  /** Counts a refusal and logs at most once a second (a storm of log lines is itself load). */
  const refused = (cls: ShedClass, reason: Reason, value: number | undefined) => {
    httpShed.series(cls, reason).inc();
    shedSinceLog++;
    const now = Date.now();
    if (now - lastLogAt >= 1000) {
      deps.log.warn({ reason, value, shed: shedSinceLog, lastClass: cls }, 'shedding load: refusing requests with 503');
      lastLogAt = now;
      shedSinceLog = 0;
    }
  };

  /** The level-1 signal over its threshold in the last sample (under-pressure's order), or the held one. */
  const level1Reason = (): [Reason, number | undefined] => {
    const m = sample();
    if (settings.eventLoopDelayMs > 0 && m.eventLoopDelay > settings.eventLoopDelayMs) return ['event_loop_delay', m.eventLoopDelay];
    if (settings.heapUsedBytes > 0 && m.heapUsed > settings.heapUsedBytes) return ['heap', m.heapUsed];
    if (settings.rssBytes > 0 && m.rssBytes > settings.rssBytes) return ['rss', m.rssBytes];
    if (settings.eventLoopUtilization > 0 && m.eventLoopUtilized > settings.eventLoopUtilization) {
      return ['event_loop_utilization', m.eventLoopUtilized];
    }
    return [holdReason, undefined];
  };

  /** The level-2 signal that is passed now, if any, with its value. */
  const overLevel2 = (): [Reason, number] | null => {
    const m = sample();
    if (settings.eventLoopDelayMs > 0 && m.eventLoopDelay > level2.eventLoopDelay) return ['event_loop_delay', m.eventLoopDelay];
    if (level2.heapUsed > 0 && m.heapUsed > level2.heapUsed) return ['heap', m.heapUsed];
    if (level2.rssBytes > 0 && m.rssBytes > level2.rssBytes) return ['rss', m.rssBytes];
    return null;
  };

  const priorityOf = (methods: readonly string[], url: string | undefined): RoutePriority => {
    // A route serving several methods takes the most protected of their priorities.
    const listed = methods.map((m) => deps.priorities.get(`${m === 'HEAD' ? 'GET' : m} ${url}`)).filter((p) => p !== undefined);
    return listed.find((p) => p === 'exempt') ?? listed.find((p) => p === 'critical') ?? listed[0] ?? 'normal';
  };

  // The front door's view of the table: GET patterns of what an anonymous client may be refused,
  // with the route each stands for, and the routes the in-flight limit never refuses (`critical`,
  // `exempt`), by method.
  const patternOf = (url: string) => new RegExp(`^${url.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
  const frontDoor = [...deps.priorities]
    .filter(([key, p]) => key.startsWith('GET ') && (p === 'browse' || p === 'sheddable'))
    .map(([key]) => ({ route: key.slice(4), pattern: patternOf(key.slice(4)) }));
  const protectedRoutes = new Map<string, RegExp[]>();
  /** Every listed route by method, to name the route of a request the in-flight limit refuses. */
  const listedRoutes = new Map<string, Array<{ route: string; pattern: RegExp }>>();
  for (const [key, p] of deps.priorities) {
    const [method, url] = key.split(' ', 2) as [string, string];
    listedRoutes.set(method, [...(listedRoutes.get(method) ?? []), { route: url, pattern: patternOf(url) }]);
    if (p !== 'critical' && p !== 'exempt') continue;
    protectedRoutes.set(method, [...(protectedRoutes.get(method) ?? []), patternOf(url)]);
  }
  /** Requests admitted by the front door whose response has not closed yet, and the limit on them. */
  let inFlight = 0;
  let limit = settings.maxInFlight;
  let window = { completed: 0, totalMs: 0, peak: 0 };
  if (settings.maxInFlight > 0 && settings.inFlightTargetMs > 0) {
    const steer = setInterval(() => {
      limit = nextInFlightLimit(limit, window, { max: settings.maxInFlight, targetMs: settings.inFlightTargetMs });
      window = { completed: 0, totalMs: 0, peak: inFlight };
    }, settings.sampleIntervalMs).unref();
    server.addHook('onClose', (_instance, done) => {
      clearInterval(steer);
      done();
    });
  }

  type Refusal = Readonly<{ cls: ShedClass; reason: Reason; value: number | undefined; route: string }>;
  /** Why the front door refuses `req` (and the route it would have matched), or null to let it through to Fastify. */
  const frontDoorRefusal = (req: IncomingMessage): Refusal | null => {
    if (!armed) return null;
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    if (settings.maxInFlight > 0 && inFlight >= limit) {
      // Matched only now, over the limit: below it, admitting costs one comparison.
      const path = pathOf(req.url ?? '');
      if (!(protectedRoutes.get(method) ?? []).some((pattern) => pattern.test(path))) {
        const route = (listedRoutes.get(method) ?? []).find((r) => r.pattern.test(path))?.route ?? 'unmatched';
        const cls = method === 'GET' && frontDoor.some((d) => d.pattern.test(path)) ? 'sheddable' : 'normal';
        return { cls, reason: 'in_flight', value: inFlight, route };
      }
      return null;
    }
    // The hold runs from the last time pressure was seen, not from the last refusal (which would
    // extend it for as long as refused clients keep coming).
    if (pressured()) holdUntil = Date.now() + HOLD_MS;
    else if (holdUntil === 0 || Date.now() >= holdUntil) return null;
    if (method !== 'GET' || deps.signedIn(req.headers)) return null;
    const path = pathOf(req.url ?? '');
    const route = frontDoor.find((d) => d.pattern.test(path))?.route;
    if (route === undefined) return null;
    const [reason, value] = level1Reason();
    holdReason = reason;
    return { cls: 'sheddable', reason, value, route };
  };
  /**
   * A front-door refusal never reaches Fastify's hooks, so it is counted here in the request
   * families too, under the route it would have matched: a shed request is a failed request to
   * the availability SLOs (ops/slo.ts), which read only those families. Series kept per route and method.
   */
  const frontDoorSeries = new Map<
    string,
    { count: ReturnType<typeof httpRequests.series>; duration: ReturnType<typeof httpDuration.series> }
  >();
  const countRefusal = (route: string, method: string, startedAt: number): void => {
    const key = `${method} ${route}`;
    let s = frontDoorSeries.get(key);
    if (!s)
      frontDoorSeries.set(key, (s = { count: httpRequests.series(route, method, '5xx'), duration: httpDuration.series(route, method) }));
    s.count.inc();
    s.duration.observe((performance.now() - startedAt) / 1000);
  };

  server.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const bounded = methods.some((m) => deps.bounded?.has(`${String(m)} ${route.url}`) ?? false);
    route.config = { ...route.config, priority: priorityOf(methods.map(String), route.url), ...(bounded ? { bounded } : {}) };
  });
  await server.register(fastifyUnderPressure, {
    maxEventLoopDelay: settings.eventLoopDelayMs,
    maxEventLoopUtilization: settings.eventLoopUtilization,
    eventLoopUtilizationMode: 'interval',
    maxHeapUsedBytes: settings.heapUsedBytes,
    maxRssBytes: settings.rssBytes,
    sampleInterval: settings.sampleIntervalMs,
    // Called only while a level-1 threshold is passed. A returned body is sent as the answer (the
    // plugin's documented contract, wider than its typings); undefined lets the request through.
    pressureHandler: ((request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
      if (!armed) return undefined;
      // Routes added before this plugin (none today) are looked up here, under pressure only.
      const priority = request.is404
        ? 'sheddable'
        : (request.routeOptions.config.priority ?? priorityOf([request.method], request.routeOptions.url));
      if (priority === 'critical' || priority === 'exempt') return undefined;
      let refusal: [ShedClass, Reason, number | undefined] | null = null;
      if (priority === 'sheddable' || (priority === 'browse' && !deps.signedIn(request.headers))) {
        refusal = ['sheddable', SHED_REASONS[type as keyof typeof SHED_REASONS] ?? 'event_loop_delay', value];
      } else {
        const severe = overLevel2();
        if (severe) refusal = ['normal', ...severe];
      }
      if (!refusal) return undefined;
      holdUntil = Date.now() + HOLD_MS;
      holdReason = refusal[1];
      refused(...refusal);
      void reply.code(503).header('retry-after', retryAfter);
      const page = deps.refusalPage?.(pathOf(request.url), request.headers);
      if (page) {
        void reply.type(page.contentType).header('cache-control', 'no-store');
        return page.body;
      }
      return body;
    }) as never,
  });
  pressured = () => server.isUnderPressure();

  // The bounded routes' share: `running` of them hold a place; the others wait in arrival order,
  // each for `boundedQueueMs` at most. A place is given back when the response closes (answered,
  // or the client went away), and handed straight to the first waiter.
  let running = 0;
  const waiting: Array<() => void> = [];
  const leave = () => {
    running--;
    waiting.shift()?.();
  };
  server.addHook('onRequest', (request, reply, done) => {
    if (!armed || settings.boundedConcurrency === 0 || request.routeOptions.config.bounded !== true) return done();
    const enter = () => {
      running++;
      reply.raw.once('close', leave);
      done();
    };
    if (running < settings.boundedConcurrency && waiting.length === 0) return enter();
    const refuse = () => {
      refused('critical', 'share', running);
      void reply.code(503).header('retry-after', retryAfter);
      const page = deps.refusalPage?.(pathOf(request.url), request.headers);
      if (page) void reply.type(page.contentType).header('cache-control', 'no-store').send(page.body);
      else void reply.send(body);
    };
    if (settings.boundedQueueMs === 0) return refuse();
    const unqueue = () => {
      const at = waiting.indexOf(turn);
      if (at !== -1) waiting.splice(at, 1);
    };
    // A client that leaves while it waits gives up its turn.
    const gone = () => {
      clearTimeout(timer);
      unqueue();
    };
    const turn = () => {
      clearTimeout(timer);
      reply.raw.off('close', gone);
      enter();
    };
    const timer = setTimeout(() => {
      unqueue();
      reply.raw.off('close', gone);
      refuse();
    }, settings.boundedQueueMs);
    waiting.push(turn);
    reply.raw.once('close', gone);
  });
  server.addHook('onReady', (done) => {
    holdUntil = 0;
    setTimeout(() => (armed = true), Math.max(WARM_UP_SAMPLES * settings.sampleIntervalMs, settings.warmUpMs)).unref();
    done();
  });
  sample = () => server.memoryUsage();

  // The front door goes in front of the one 'request' listener Fastify put on its HTTP server.
  // (Not a `serverFactory`: Fastify applies its keep-alive and request timeouts only to a server it
  // makes itself, and a factory that forgot one would close kept-alive connections under clients.)
  const raw = server.server;
  const fastifyHandlers = raw.listeners('request') as Handler[];
  if (fastifyHandlers.length !== 1) throw new Error(`load shedding expects one 'request' listener, found ${fastifyHandlers.length}`);
  const fastifyHandler = fastifyHandlers[0]!;
  raw.removeListener('request', fastifyHandler);
  raw.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const refusal = frontDoorRefusal(req);
    if (refusal) {
      const startedAt = performance.now();
      refused(refusal.cls, refusal.reason, refusal.value);
      const page = deps.refusalPage?.(pathOf(req.url ?? ''), req.headers);
      if (page) {
        res.writeHead(503, {
          'content-type': page.contentType,
          'retry-after': retryAfter,
          'content-length': page.body.length,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        res.end(req.method === 'HEAD' ? undefined : page.body);
      } else {
        res.writeHead(503, rawHeaders);
        res.end(req.method === 'HEAD' ? undefined : rawBody);
      }
      countRefusal(refusal.route, req.method!, startedAt);
      return;
    }
    inFlight++;
    if (inFlight > window.peak) window.peak = inFlight;
    const admittedAt = performance.now();
    res.once('close', () => {
      inFlight--;
      window.completed++;
      window.totalMs += performance.now() - admittedAt;
    });
    fastifyHandler(req, res);
  });
}
