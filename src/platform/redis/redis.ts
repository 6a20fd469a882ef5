import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The Redis connections of one process. Redis holds nothing that cannot be rebuilt (the shared
 * cache tier, invalidation messages, rate-limit counters), so every use of it must survive Redis
 * being down or hung: commands fail fast instead of waiting, and the connections come back by
 * themselves when Redis does.
 *
 * - `commands`: cache reads and writes, rate-limit counters, publishing. No offline queue (a
 *   command while disconnected fails at once instead of piling up) and a per-command timeout, so
 *   a Redis that accepts connections but never answers costs `timeoutMs`, not seconds.
 * - `subscriber`: the invalidation bus's listening side. It keeps its offline queue and has no
 *   command timeout: SUBSCRIBE sent while Redis is down waits for the connection, and ioredis
 *   subscribes again after every reconnection.
 */
export type RedisConnections = Readonly<{
  commands: Redis;
  subscriber: Redis;
  /** Key prefix shared by every node of one deployment (`REDIS_KEY_PREFIX`). */
  keyPrefix: string;
  timeoutMs: number;
  /** Resolves true once both connections are up, false after `ms` (start-up goes on without Redis). */
  waitUntilReady(ms: number): Promise<boolean>;
  close(): Promise<void>;
}>;

export type RedisSettings = Readonly<{ url: string; timeoutMs: number; keyPrefix: string }>;

/**
 * How long Redis is skipped after a failed command, by everything that uses it: the cache's Redis
 * tier (bentocache's L2 breaker), publishing on the cache bus (and the bus's resend interval), and
 * rate-limit counting. Short, because it is also how long a restarted Redis waits before it is
 * used again; long enough that a hung Redis costs one command timeout per use every two seconds
 * instead of one per request.
 */
export const REDIS_RETRY_AFTER_MS = 2000;

/**
 * Reconnect quickly at first, then about once a second for as long as it takes. Each delay is
 * drawn from [ceiling/2, ceiling] so that every process of a deployment does not reconnect to a
 * restarted Redis in the same millisecond.
 */
export function reconnectDelayMs(attempt: number): number {
  const ceiling = Math.min(Math.max(attempt, 1) * 100, 1000);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export function createRedisConnections(settings: RedisSettings, log: Logger): RedisConnections {
  const common: RedisOptions = {
    retryStrategy: reconnectDelayMs,
    connectTimeout: Math.max(settings.timeoutMs * 10, 1000),
    // Redis is one of several dependencies; it is named in logs, never thrown at start-up.
    lazyConnect: false,
  };
  const commands = new Redis(settings.url, {
    ...common,
    connectionName: 'atelier-commands',
    enableOfflineQueue: false,
    commandTimeout: settings.timeoutMs,
    maxRetriesPerRequest: 0,
  });
  const subscriber = new Redis(settings.url, {
    ...common,
    connectionName: 'atelier-bus',
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    autoResubscribe: true,
  });

  // One line when Redis goes away and one when it is back, not one per failed command.
  for (const [name, conn] of [
    ['commands', commands],
    ['subscriber', subscriber],
  ] as const) {
    let down = false;
    conn.on('error', (err: Error) => {
      if (!down) log.warn({ err: err.message, connection: name }, 'redis unreachable; serving from process memory and the database');
      down = true;
    });
    conn.on('ready', () => {
      if (down) log.info({ connection: name }, 'redis reachable again');
      down = false;
    });
  }

  const ready = (conn: Redis) =>
    conn.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => conn.once('ready', () => resolve()));

  return {
    commands,
    subscriber,
    keyPrefix: settings.keyPrefix,
    timeoutMs: settings.timeoutMs,
    async waitUntilReady(ms) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      });
      const result = await Promise.race([Promise.all([ready(commands), ready(subscriber)]).then(() => true as const), timedOut]);
      clearTimeout(timer);
      return result;
    },
    async close() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}
