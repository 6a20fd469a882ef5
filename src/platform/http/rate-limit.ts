import { createRequire } from 'node:module';
import rateLimit, { normalizeIP, type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Logger } from 'pino';
import { DomainError } from '../../shared/errors.ts';
import { REDIS_RETRY_AFTER_MS, type RedisConnections } from '../redis/redis.ts';

/**
 * Rate limits per client IP and per account, counted across nodes in Redis when it is configured
 * (in process memory otherwise), with stricter limits on the routes an attacker or a bot hammers:
 * log-in, sign-up and checkout. A refused request gets `429`, `Retry-After` (seconds until its
 * window ends) and the usual error body with code `RATE_LIMITED`.
 *
 * Counting is @fastify/rate-limit's fixed window (its Redis store: one atomic INCR + PEXPIRE
 * script per check). What counts:
 * - every request per IP (`ipMax`), checked in `onRequest`, before the body is read;
 * - every request of a signed-in account per account (`accountMax`), checked after the route's
 *   own guards resolved the session, so public pages that need no session never look one up;
 * - on a strict route, also per IP (`strictIpMax`) and per account (`strictAccountMax`), each
 *   route with its own counters; for log-in the "account" is the email being tried, which is what
 *   slows down guessing one account's password from many addresses. Checkout counts there only
 *   requests that are not idempotent replays (`countedByHandler`).
 *
 * When Redis fails (down, or slower than REDIS_TIMEOUT_MS), requests are counted in this
 * process's memory instead, for `REDIS_RETRY_AFTER_MS` at a time before Redis is tried again: limits stay
 * on, but each node counts alone (a client spread over N nodes gets up to N times the limit)
 * until Redis is back. A rate limiter must never be the reason a request fails.
 */
export type RateLimitSettings = Readonly<{
  enabled: boolean;
  windowSeconds: number;
  ipMax: number;
  accountMax: number;
  strictIpMax: number;
  strictAccountMax: number;
}>;

/**
 * A further limit of a strict route, with its own window: `key` picks what it counts (null: this
 * request is not counted). A route's limits are checked in order after its guards, and a request
 * refused by one is not counted by the next: so a per-client limit placed before a per-account
 * one keeps one client's refused flood from spending the account's allowance for everyone.
 */
export type RouteLimit = Readonly<{
  name: string;
  max: number;
  windowSeconds: number;
  key: (request: FastifyRequest) => string | null;
}>;

/** A route with strict limits, named for its counters; `subject` picks the account to count, if any. */
export type StrictRoute = Readonly<{
  method: string;
  url: string;
  name: string;
  subject: (request: FastifyRequest) => string | null;
  /**
   * For a request it says yes to, the strict limits are counted when the handler calls
   * `countStrictLimits(request)`, not as the request arrives: for checkout with an Idempotency-Key, which calls it once it knows the request is new work, not an
   * idempotent replay answered from the stored first answer. A client retrying a lost answer (or
   * 20 copies of one request racing) must get its order, not 429 (issue 13). Counting by request
   * instead, with the key in the counter's name, cannot tell a replay from a retry of a refused
   * first request (which must count), and cannot see which of 20 racing copies is the first; the
   * idempotency store can: its claim of the key is the one place that knows.
   */
  countedByHandler?: (request: FastifyRequest) => boolean;
  limits?: readonly RouteLimit[];
}>;

const STRICT_COUNT = Symbol('atelier.strictCount');
/** The key of the limit being checked, as its route computed it (a limiter may serve several routes). */
const LIMIT_KEY = Symbol('atelier.limitKey');
type LimitKeyed = FastifyRequest & { [LIMIT_KEY]?: string };
type CountedRequest = FastifyRequest & { [STRICT_COUNT]?: () => Promise<void> };
const deferredCount = (request: FastifyRequest) => (request as CountedRequest)[STRICT_COUNT] !== undefined;

/**
 * Counts the request against its route's strict limits (a route with `countedByHandler`), once
 * however often it is called; throws RATE_LIMITED, with Retry-After on the reply, when over. Does
 * nothing when rate limits are off or the route has none.
 */
export function countStrictLimits(request: FastifyRequest): Promise<void> {
  return (request as CountedRequest)[STRICT_COUNT]?.() ?? Promise.resolve();
}

/** Routes no limit applies to: probes from load balancers and orchestrators. */
const UNLIMITED = new Set(['/health', '/ready']);

/** Distinct keys one node remembers per limiter while counting in memory. */
const LOCAL_KEYS = 100_000;

type StoreCtor = new (continueExceeding: boolean, exponentialBackoff: boolean, ...rest: unknown[]) => FastifyRateLimitStore;
// The plugin's two stores are not in its typed exports; they are its documented local and Redis adapters.
const load = createRequire(import.meta.url);
const LocalStore = load('@fastify/rate-limit/store/LocalStore.js') as StoreCtor;
const RedisStore = load('@fastify/rate-limit/store/RedisStore.js') as StoreCtor;

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1];

/**
 * A store that counts in Redis and falls back to memory while Redis fails (see above). The Redis
 * connection has no offline queue and a command timeout, so a failure is known in milliseconds.
 */
function fallbackStore(redis: RedisConnections | null, log: Logger): new () => FastifyRateLimitStore {
  let redisDownUntil = 0;
  const shared = redis ? new RedisStore(false, false, redis.commands, `${redis.keyPrefix}:rate:`) : null;

  class FallbackStore implements FastifyRateLimitStore {
    readonly #local = new LocalStore(false, false, LOCAL_KEYS);

    incr(key: string, callback: IncrCallback, timeWindow: number, max: number): void {
      if (!shared || Date.now() < redisDownUntil) {
        this.#local.incr(key, callback, timeWindow, max);
        return;
      }
      shared.incr(
        key,
        (err, result) => {
          if (!err) return callback(null, result);
          if (Date.now() >= redisDownUntil) log.warn({ err: err.message }, 'rate limits counted in process memory while redis fails');
          redisDownUntil = Date.now() + REDIS_RETRY_AFTER_MS;
          this.#local.incr(key, callback, timeWindow, max);
        },
        timeWindow,
        max,
      );
    }

    // Every limiter gets its own memory counters; in Redis, the keys say which limiter they belong to.
    child(): FastifyRateLimitStore {
      return new FallbackStore();
    }
  }
  return FallbackStore;
}

type LimitCheck = ReturnType<ReturnType<FastifyInstance['createRateLimit']>>;

/** Refuses the request (429 with Retry-After) when any of the counts it was just added to is over its limit. */
async function enforce(reply: FastifyReply, checks: LimitCheck[]): Promise<void> {
  for (const result of await Promise.all(checks)) {
    if (result.isAllowed || !result.isExceeded) continue;
    const seconds = Math.max(1, result.ttlInSeconds);
    void reply.header('retry-after', String(seconds));
    throw new DomainError('rate_limited', 'RATE_LIMITED', `Too many requests; try again in ${seconds} s`, undefined, {
      retryAfterSeconds: seconds,
    });
  }
}

/**
 * Installs the limits on `server`. Call before any route is registered: the per-account check is
 * appended to each route's own preHandlers as the route is added.
 */
export async function installRateLimits(
  server: FastifyInstance,
  settings: RateLimitSettings,
  deps: {
    redis: RedisConnections | null;
    strictRoutes: readonly StrictRoute[];
    /** The signed-in account of a request whose guards have run, or null. */
    accountOf: (request: FastifyRequest) => string | null;
    log: Logger;
  },
): Promise<void> {
  if (!settings.enabled) return;
  await server.register(rateLimit, { global: false, store: fallbackStore(deps.redis, deps.log) });
  const timeWindow = settings.windowSeconds * 1000;
  const ip = (request: FastifyRequest) => normalizeIP(request.ip);

  const perIp = server.createRateLimit({ max: settings.ipMax, timeWindow, keyGenerator: (r) => `ip:${ip(r)}` });
  const perAccount = server.createRateLimit({
    max: settings.accountMax,
    timeWindow,
    keyGenerator: (r) => `account:${deps.accountOf(r) ?? ''}`,
  });
  // Limiters are made once per name: routes that share a name (the API log-in and the sign-in
  // page; log-in, re-authentication and password change) share one limiter and so one count, in
  // process memory too (each limiter's memory store is its own; in Redis the key alone decides).
  const limiters = new Map<string, ReturnType<typeof server.createRateLimit>>();
  const limiter = (name: string, make: () => ReturnType<typeof server.createRateLimit>) => {
    let found = limiters.get(name);
    if (!found) {
      found = make();
      limiters.set(name, found);
    }
    return found;
  };
  // Each strict route has its own two limiters, whose keys carry the route's name; the per-account
  // one counts the route's subject, and runs only for a request that has one.
  const strictByRoute = new Map(
    deps.strictRoutes.map((route) => [
      `${route.method} ${route.url}`,
      {
        subject: route.subject,
        countedByHandler: route.countedByHandler ?? (() => false),
        perIp: limiter(`ip:${route.name}`, () =>
          server.createRateLimit({ max: settings.strictIpMax, timeWindow, keyGenerator: (r) => `ip:${route.name}:${ip(r)}` }),
        ),
        // The subject differs between routes of one name (the API's log-in has none): one limiter per route.
        perSubject: server.createRateLimit({
          max: settings.strictAccountMax,
          timeWindow,
          keyGenerator: (r) => `account:${route.name}:${route.subject(r) ?? ''}`,
        }),
        limits: (route.limits ?? []).map((limit) => ({
          key: limit.key,
          // The request is counted under the key its own route computes: the limiter is shared, the key function is not.
          check: limiter(`limit:${route.name}:${limit.name}`, () =>
            server.createRateLimit({
              max: limit.max,
              timeWindow: limit.windowSeconds * 1000,
              keyGenerator: (r) => `limit:${route.name}:${limit.name}:${(r as LimitKeyed)[LIMIT_KEY] ?? ''}`,
            }),
          ),
        })),
      },
    ]),
  );

  server.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined || UNLIMITED.has(url)) return;
    const strict = strictByRoute.get(`${request.method} ${url}`);
    const deferred = strict?.countedByHandler(request) === true;
    if (strict && deferred) {
      let counted: Promise<void> | null = null;
      (request as CountedRequest)[STRICT_COUNT] = () => {
        counted ??= enforce(reply, [strict.perIp(request), ...(strict.subject(request) !== null ? [strict.perSubject(request)] : [])]);
        return counted;
      };
    }
    await enforce(reply, strict && !deferred ? [perIp(request), strict.perIp(request)] : [perIp(request)]);
  });

  // Appended after the route's own preHandlers: those are the guards that resolve the session.
  server.addHook('onRoute', (route) => {
    if (UNLIMITED.has(route.url)) return;
    const strict = strictByRoute.get(`${String(route.method)} ${route.url}`);
    const perAccountCheck: preHandlerAsyncHookHandler = async (request, reply) => {
      const checks = deps.accountOf(request) !== null ? [perAccount(request)] : [];
      if (strict && !deferredCount(request) && strict.subject(request) !== null) checks.push(strict.perSubject(request));
      await enforce(reply, checks);
      for (const limit of strict?.limits ?? []) {
        const key = limit.key(request);
        if (key === null) continue;
        (request as LimitKeyed)[LIMIT_KEY] = key;
        await enforce(reply, [limit.check(request)]);
      }
    };
    const own = route.preHandler;
    route.preHandler = own === undefined ? [perAccountCheck] : Array.isArray(own) ? [...own, perAccountCheck] : [own, perAccountCheck];
  });
}
