import type { BusDriver, CreateBusDriverResult } from 'bentocache/types';
import type { Logger } from 'pino';
import { REDIS_RETRY_AFTER_MS, type RedisConnections } from './redis.ts';

type Handler = (payload: never) => void;

/**
 * bentocache's invalidation bus over Redis pub/sub, on our two connections (see redis.ts).
 * bentocache's own Redis bus duplicates one connection for both sides, which gives the publisher
 * no command timeout (a hung Redis would hold every cache write) or the subscriber a timeout (a
 * SUBSCRIBE issued before Redis is up would be dropped for good). Here publishing is fast-fail and
 * bentocache's retry queue resends what failed once Redis is back; subscribing waits as long as it
 * takes. Channels carry the deployment's key prefix, so two deployments on one Redis stay apart.
 */
class RedisBusTransport implements BusDriver {
  #id = '';
  #downUntil = 0;
  readonly #handlers = new Map<string, Handler[]>();
  readonly #redis: RedisConnections;
  readonly #log: Logger;

  constructor(redis: RedisConnections, log: Logger) {
    this.#redis = redis;
    this.#log = log;
    redis.subscriber.on('message', this.#onMessage);
  }

  setId(id: string): this {
    this.#id = id;
    return this;
  }

  onReconnect(callback: () => void): void {
    this.#redis.subscriber.on('ready', callback);
  }

  async publish(channel: string, message: unknown): Promise<void> {
    // After a failure, fail at once for a while (the retry queue keeps the message): a hung Redis
    // would otherwise cost every cache write a full command timeout.
    if (Date.now() < this.#downUntil) throw new Error('cache bus: redis failed recently');
    try {
      await this.#redis.commands.publish(this.#channel(channel), JSON.stringify({ busId: this.#id, payload: message }));
    } catch (err) {
      this.#downUntil = Date.now() + REDIS_RETRY_AFTER_MS;
      throw err;
    }
  }

  async subscribe(channel: string, handler: Handler): Promise<void> {
    const handlers = this.#handlers.get(channel) ?? [];
    handlers.push(handler);
    this.#handlers.set(channel, handlers);
    // bentocache does not await this; a failure (only on shutdown) must not become an unhandled rejection.
    await this.#redis.subscriber.subscribe(this.#channel(channel)).catch((err: unknown) => {
      this.#log.debug({ err, channel }, 'cache bus subscription ended');
    });
  }

  async unsubscribe(channel: string): Promise<void> {
    this.#handlers.delete(channel);
    await this.#redis.subscriber.unsubscribe(this.#channel(channel)).catch(() => {});
  }

  async disconnect(): Promise<void> {
    this.#redis.subscriber.off('message', this.#onMessage);
  }

  #channel(channel: string): string {
    return `${this.#redis.keyPrefix}:${channel}`;
  }

  readonly #onMessage = (channel: string, raw: string): void => {
    const prefix = `${this.#redis.keyPrefix}:`;
    if (!channel.startsWith(prefix)) return;
    const handlers = this.#handlers.get(channel.slice(prefix.length));
    if (!handlers) return;
    let message: { busId?: unknown; payload?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return;
    }
    // Our own messages come back to us too; this node already applied them.
    if (message.busId === this.#id || message.payload === undefined) return;
    for (const handler of handlers) handler(message.payload as never);
  };
}

/** Settings for bentocache's `useBus`. A bounded retry queue: after a long outage, TTLs bound staleness anyway. */
export function redisBus(redis: RedisConnections, log: Logger): CreateBusDriverResult {
  return {
    options: { retryQueue: { enabled: true, maxSize: 10_000, retryInterval: REDIS_RETRY_AFTER_MS } },
    factory: () => new RedisBusTransport(redis, log),
  };
}
