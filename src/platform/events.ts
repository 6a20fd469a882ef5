import type { Kysely } from 'kysely';
import { newId } from '../shared/ids.ts';
import { enqueue, type JobContext, type TaskHandler } from './queue/queue.ts';

/**
 * Domain events, delivered at least once through the job queue. Publishing takes the transaction
 * of the change, so an event exists if and only if its change committed; each subscriber gets its
 * own job, so a slow or failing subscriber delays nobody else. Handlers must be idempotent (they
 * receive the event id to deduplicate by).
 */
export type DomainEvent<P = Record<string, unknown>> = Readonly<{
  id: string;
  type: string;
  occurredAt: string;
  payload: P;
}>;

export type EventHandler = (event: DomainEvent, ctx: JobContext) => Promise<void>;

export type EventBus = Readonly<{
  publish(db: Kysely<unknown>, type: string, payload: Record<string, unknown>, opts?: { jobKeySuffix?: string }): Promise<void>;
  subscribe(type: string, subscriber: string, handler: EventHandler): void;
  /** The job handlers the worker role runs, one per subscription. */
  tasks(): Record<string, TaskHandler>;
}>;

export function createEventBus(): EventBus {
  const subscriptions = new Map<string, Array<{ subscriber: string; handler: EventHandler }>>();
  const taskName = (type: string, subscriber: string) => `event:${type}:${subscriber}`;
  return {
    async publish(db, type, payload, opts) {
      const event: DomainEvent = { id: newId(), type, occurredAt: new Date().toISOString(), payload };
      for (const { subscriber } of subscriptions.get(type) ?? []) {
        await enqueue(db, {
          task: taskName(type, subscriber),
          payload: event as unknown as Record<string, unknown>,
          // With a suffix (e.g. a product id), a burst of events for one entity coalesces into one job.
          ...(opts?.jobKeySuffix ? { jobKey: `${taskName(type, subscriber)}:${opts.jobKeySuffix}` } : {}),
        });
      }
    },
    subscribe(type, subscriber, handler) {
      const list = subscriptions.get(type) ?? [];
      if (list.some((s) => s.subscriber === subscriber)) throw new Error(`${subscriber} already subscribes to ${type}`);
      list.push({ subscriber, handler });
      subscriptions.set(type, list);
    },
    tasks() {
      const tasks: Record<string, TaskHandler> = {};
      for (const [type, list] of subscriptions) {
        for (const { subscriber, handler } of list) {
          tasks[taskName(type, subscriber)] = (payload, ctx) => handler(payload as unknown as DomainEvent, ctx);
        }
      }
      return tasks;
    },
  };
}
