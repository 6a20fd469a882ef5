import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { registry } from '../../platform/observability/metrics.ts';
import { REDIS_RETRY_AFTER_MS, type RedisConnections } from '../../platform/redis/redis.ts';

/**
 * The checkout admission line for flash sales (issue 5). When more checkouts of one variant are
 * in flight than `hotConcurrency`, a new checkout of it is not run: the buyer gets a place in a
 * first-come-first-served line for that variant and is told to come back (see orders.checkout.ts
 * for the answer). Without it, 500 buyers of one product all hold a shard transaction and wait for
 * the same stock row, so every checkout takes seconds and nobody is served in order.
 *
 * The line, per variant:
 * - `slots`: the checkouts of the variant running now, each with a lease (a process that dies
 *   mid-checkout frees its slot when the lease ends).
 * - `line`: waiting buyers in ticket order. A place is keyed by the customer and Idempotency-Key,
 *   so repeating the same request keeps it; no other token is needed.
 * - A waiting buyer is admitted when there are `free` slots and it is among the first `free` of
 *   the line, whoever of them comes back first. A place not claimed by the time the buyer was told
 *   to return plus `graceMs` is dropped, so a buyer who walks away does not block the line.
 * - A newcomer runs at once only when nobody waits and a slot is free: it never overtakes the line.
 *
 * Two stores with one contract (orders.admission.test.ts runs it against both): Redis, shared by
 * every API process, when REDIS_URL is set (one Lua script per decision, so ticket, rank and slots
 * are decided atomically); process memory otherwise (level 0, one process). Hand-written because
 * no well-kept library does a fair, keyed, expiring line: semaphore and rate-limit packages admit
 * whoever asks first after a slot frees, which is the retry storm this replaces.
 *
 * The line must never be the reason a checkout fails: when Redis fails, the process decides with
 * its own memory line for REDIS_RETRY_AFTER_MS (each node then metres alone), and the stock row
 * still prevents an oversell whatever is admitted.
 */
export type AdmissionSettings = Readonly<{
  /** Checkouts of one variant in flight at once (across processes sharing Redis); 0 turns the line off. */
  hotConcurrency: number;
  /** How long past the time a waiting buyer was told to return its place is kept. */
  graceSeconds: number;
}>;

/** A checkout's pass: run it, then `leave()` when it has its answer (frees the slot). */
export type Admitted = Readonly<{ admitted: true; leave(): Promise<void> }>;

/** A checkout that waits: where it stands and when to come back. */
export type Queued = Readonly<{
  admitted: false;
  variantId: string;
  /** 1 = next in line. */
  position: number;
  estimatedWaitSeconds: number;
  /**
   * When to ask again, to the millisecond: the estimate, but at most 2 s (see MAX_RETRY_MS), so
   * never later than the place is kept for (holdMs counts from the uncapped estimate). The
   * Retry-After header is this in whole seconds, rounded up.
   */
  retryAfterMs: number;
  /** Gives up the place (the buyer got a final answer some other way). */
  drop(): Promise<void>;
}>;

export type AdmissionEntry = Admitted | Queued;

export type CheckoutAdmission = Readonly<{
  /**
   * Admits or queues the checkout of `variantIds` by this customer under this Idempotency-Key.
   * A checkout of several variants passes each line in id order; queued in one, it gives back the
   * slots it took in the others (its places in those are used up: rare, and only costs it order).
   * A ticket whose checkout finished on this process passes at once: its checkout replays the answer.
   */
  enter(customerId: string, idempotencyKey: string, variantIds: readonly string[]): Promise<AdmissionEntry>;
}>;

/** One line's decision for one arrival, as both stores return it. */
type Decision = Readonly<{ admitted: boolean; position: number; waiting: number }>;

/** The store contract: what the memory and Redis lines both implement. */
export type LineStore = Readonly<{
  /**
   * The decision for `ticket` arriving at `variantId`'s line at `now`. A queued ticket's place is
   * kept until `now + holdMs(position)`.
   */
  arrive(variantId: string, ticket: string, now: number, capacity: number, perPositionMs: number, graceMs: number): Promise<Decision>;
  /** The ticket's checkout has its answer: its slot is free. */
  leave(variantId: string, ticket: string): Promise<void>;
  /** The ticket leaves the line without being served. */
  drop(variantId: string, ticket: string): Promise<void>;
}>;

/** A slot's lease: longer than any checkout (statements time out at PG_STATEMENT_TIMEOUT_MS, 5 s by default). */
export const LEASE_MS = 15_000;
/** An idle line's Redis keys go away after this (every decision pushes it back). */
const IDLE_TTL_MS = 10 * 60_000;
/** The service time assumed before any checkout on a line was measured. */
const INITIAL_SERVICE_MS = 50;
/** Retry hints are never shorter than this: a sooner retry would mostly find the same line. */
const MIN_RETRY_MS = 20;
/**
 * Nor longer than this, whatever the estimate: a place in line costs no database work, so asking
 * again early is cheap, while an estimate that runs long (a busy machine makes every checkout
 * slow) would leave slots idle until buyers return.
 */
const MAX_RETRY_MS = 2000;
/** Finished tickets this process remembers, so a repeat of a finished checkout is not queued. */
const FINISHED_TICKETS = 50_000;

/**
 * How long a queued place is kept: the uncapped estimate for `position` in whole seconds (at least
 * 1), plus the grace.
 */
export function holdMs(position: number, perPositionMs: number, graceMs: number): number {
  return Math.max(1, Math.ceil((position * perPositionMs) / 1000)) * 1000 + graceMs;
}

const decisions = new Counter({
  name: 'atelier_checkout_admission_total',
  help: 'Checkout admission decisions: admitted (run now), queued (told to come back), sold_out (a queued buyer let through to get its 409 at once), fallback (the shared line failed; this process decided alone).',
  labelNames: ['outcome'],
  registers: [registry],
});

/** Line lengths each process last saw, per variant, kept for a minute after the last decision. */
const seenLines = new Map<string, { waiting: number; at: number }>();
new Gauge({
  name: 'atelier_checkout_line_length',
  help: 'Buyers waiting in the checkout line of a hot variant, as this process last saw it (lines seen in the last minute).',
  labelNames: ['variant'],
  registers: [registry],
  collect() {
    this.reset();
    const cutoff = Date.now() - 60_000;
    for (const [variant, seen] of seenLines) {
      if (seen.at < cutoff) seenLines.delete(variant);
      else this.set({ variant }, seen.waiting);
    }
  },
});

/** The line in process memory: level 0, and any process while Redis fails. */
export function memoryLineStore(): LineStore {
  type Line = { slots: Map<string, number>; waiting: Map<string, number> };
  const lines = new Map<string, Line>();
  const lineOf = (variantId: string): Line => {
    let line = lines.get(variantId);
    if (!line) lines.set(variantId, (line = { slots: new Map(), waiting: new Map() }));
    return line;
  };
  /** Takes the ticket out of the line's slots or its waiting places; an empty line is forgotten. */
  const remove = (part: 'slots' | 'waiting') => async (variantId: string, ticket: string) => {
    const line = lines.get(variantId);
    if (!line) return;
    line[part].delete(ticket);
    if (line.slots.size === 0 && line.waiting.size === 0) lines.delete(variantId);
  };
  return {
    async arrive(variantId, ticket, now, capacity, perPositionMs, graceMs) {
      const line = lineOf(variantId);
      for (const part of [line.slots, line.waiting]) for (const [t, until] of part) if (until <= now) part.delete(t);
      // The same request again while it runs keeps its slot (it will replay the first answer).
      const held = line.slots.has(ticket);
      // A Map iterates in insertion order: the line's order. A newcomer goes to the end.
      let rank = 0;
      if (!held)
        for (const t of line.waiting.keys()) {
          if (t === ticket) break;
          rank++;
        }
      if (held || rank < capacity - line.slots.size) {
        line.waiting.delete(ticket);
        line.slots.set(ticket, now + LEASE_MS);
        return { admitted: true, position: 0, waiting: line.waiting.size };
      }
      const position = rank + 1;
      // Setting a key already there keeps its place in the iteration order; a new one goes last.
      line.waiting.set(ticket, now + holdMs(position, perPositionMs, graceMs));
      return { admitted: false, position, waiting: line.waiting.size };
    },
    leave: remove('slots'),
    drop: remove('waiting'),
  };
}

/**
 * The decision in Redis, atomically. KEYS: slots (zset ticket -> lease end), line (zset ticket ->
 * ticket number), until (zset ticket -> end of its place), seq (ticket counter).
 * ARGV: now, ticket, capacity, lease ms, ms per position, grace ms, idle ttl ms.
 * Returns { admitted 0/1, position, waiting }. The hold formula is holdMs() above.
 */
const ARRIVE_LUA = `
local now, ticket, capacity = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local lease, perPosition, grace, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, t in ipairs(gone) do redis.call('ZREM', KEYS[2], t) end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local function touch()
  for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
end
local held = redis.call('ZSCORE', KEYS[1], ticket)
local rank = redis.call('ZRANK', KEYS[2], ticket) or redis.call('ZCARD', KEYS[2])
if held or rank < capacity - redis.call('ZCARD', KEYS[1]) then
  redis.call('ZREM', KEYS[2], ticket)
  redis.call('ZREM', KEYS[3], ticket)
  redis.call('ZADD', KEYS[1], now + lease, ticket)
  touch()
  return { 1, 0, redis.call('ZCARD', KEYS[2]) }
end
local position = rank + 1
if redis.call('ZSCORE', KEYS[2], ticket) == false then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ticket)
end
local wait = math.max(1, math.ceil(position * perPosition / 1000))
redis.call('ZADD', KEYS[3], now + wait * 1000 + grace, ticket)
touch()
return { 0, position, redis.call('ZCARD', KEYS[2]) }
`;

type AdmissionRedis = Redis & {
  atelierAdmissionArrive(
    slots: string,
    line: string,
    until: string,
    seq: string,
    now: number,
    ticket: string,
    capacity: number,
    lease: number,
    perPosition: number,
    grace: number,
    ttl: number,
  ): Promise<[number, number, number]>;
};

/** The line in Redis, shared by every process of the deployment (keys under REDIS_KEY_PREFIX). */
export function redisLineStore(redis: RedisConnections): LineStore {
  const conn = redis.commands as AdmissionRedis;
  if (typeof conn.atelierAdmissionArrive !== 'function') {
    // ioredis runs it by EVALSHA and loads the script when Redis does not know it yet.
    conn.defineCommand('atelierAdmissionArrive', { numberOfKeys: 4, lua: ARRIVE_LUA });
  }
  // One hash tag per variant: a line's four keys live on one node of a Redis Cluster.
  const keys = (variantId: string) => {
    const base = `${redis.keyPrefix}:admission:{${variantId}}`;
    return { slots: `${base}:slots`, line: `${base}:line`, until: `${base}:until`, seq: `${base}:seq` };
  };
  return {
    async arrive(variantId, ticket, now, capacity, perPositionMs, graceMs) {
      const k = keys(variantId);
      const [admitted, position, waiting] = await conn.atelierAdmissionArrive(
        k.slots,
        k.line,
        k.until,
        k.seq,
        now,
        ticket,
        capacity,
        LEASE_MS,
        perPositionMs,
        graceMs,
        IDLE_TTL_MS,
      );
      return { admitted: admitted === 1, position, waiting };
    },
    async leave(variantId, ticket) {
      await conn.zrem(keys(variantId).slots, ticket);
    },
    async drop(variantId, ticket) {
      const k = keys(variantId);
      await conn.multi().zrem(k.line, ticket).zrem(k.until, ticket).exec();
    },
  };
}

/**
 * The admission line checkout uses: Redis-backed when `redis` is given, memory otherwise; a
 * no-op that admits everything when `hotConcurrency` is 0.
 */
export function createCheckoutAdmission(settings: AdmissionSettings, redis: RedisConnections | null, log: Logger): CheckoutAdmission {
  const capacity = settings.hotConcurrency;
  const graceMs = settings.graceSeconds * 1000;
  const pass: Admitted = { admitted: true, leave: async () => undefined };
  if (capacity === 0) return { enter: async () => pass };

  const local = memoryLineStore();
  const shared = redis ? redisLineStore(redis) : null;
  let sharedDownUntil = 0;
  // How long an admitted checkout takes, smoothed; the line moves `capacity` of them at a time.
  let serviceMs = INITIAL_SERVICE_MS;
  const perPositionMs = () => serviceMs / capacity;
  // A repeat of a checkout that already has its answer (a lost response, a double click) goes
  // straight through and replays it; remembered per process, oldest forgotten first.
  const finished = new Map<string, true>();
  const remember = (ticket: string) => {
    finished.delete(ticket);
    finished.set(ticket, true);
    if (finished.size > FINISHED_TICKETS) finished.delete(finished.keys().next().value!);
  };

  /** The shared store while it works; this process's own line for a while after it fails. */
  async function decide(variantId: string, ticket: string): Promise<{ decision: Decision; store: LineStore }> {
    const now = Date.now();
    if (shared && now >= sharedDownUntil) {
      try {
        return { decision: await shared.arrive(variantId, ticket, now, capacity, perPositionMs(), graceMs), store: shared };
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'checkout line: redis failed; this process keeps its own line for a while');
        sharedDownUntil = Date.now() + REDIS_RETRY_AFTER_MS;
        decisions.inc({ outcome: 'fallback' });
      }
    }
    return { decision: await local.arrive(variantId, ticket, now, capacity, perPositionMs(), graceMs), store: local };
  }

  /** Store calls after the decision: a failure is logged, never passed on (the lease or hold ends it). */
  const quietly = (what: string, p: Promise<void>) =>
    p.catch((err: unknown) => log.warn({ err: (err as Error).message }, `checkout line: ${what} failed`));

  return {
    async enter(customerId, idempotencyKey, variantIds) {
      const ticket = `${customerId}:${idempotencyKey}`;
      if (finished.has(ticket)) return pass;
      const taken: Array<{ variantId: string; store: LineStore }> = [];
      const leaveAll = () => Promise.all(taken.map((t) => quietly('leave', t.store.leave(t.variantId, ticket)))).then(() => undefined);
      for (const variantId of [...new Set(variantIds)].sort()) {
        const { decision, store } = await decide(variantId, ticket);
        if (decision.waiting > 0 || seenLines.has(variantId)) seenLines.set(variantId, { waiting: decision.waiting, at: Date.now() });
        if (decision.admitted) {
          taken.push({ variantId, store });
          continue;
        }
        decisions.inc({ outcome: 'queued' });
        await leaveAll();
        const waitMs = decision.position * perPositionMs();
        const retryAfterMs = Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, Math.round(waitMs)));
        return {
          admitted: false,
          variantId,
          position: decision.position,
          estimatedWaitSeconds: Math.round(waitMs) / 1000,
          retryAfterMs,
          drop: () => quietly('drop', store.drop(variantId, ticket)),
        };
      }
      decisions.inc({ outcome: 'admitted' });
      const started = Date.now();
      return {
        admitted: true,
        async leave() {
          // Smoothed over about the last ten checkouts: a flash sale's service time moves quickly.
          serviceMs += (Math.max(1, Date.now() - started) - serviceMs) * 0.1;
          remember(ticket);
          await leaveAll();
        },
      };
    },
  };
}

/** Counts a queued buyer let through because the variant is sold out (it gets the 409 at once). */
export function countSoldOutPass(): void {
  decisions.inc({ outcome: 'sold_out' });
}
