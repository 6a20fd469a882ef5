import { startWorkers, type TaskHandler, type Workers } from '../platform/queue/queue.ts';
import { startMetricsServer } from '../platform/observability/metrics-server.ts';
import type { Container } from './container.ts';

/** Every job handler: one per event subscription, plus each module's own jobs. */
export function collectTasks(app: Container): Record<string, TaskHandler> {
  const tasks: Record<string, TaskHandler> = { ...app.events.tasks() };
  for (const m of app.modules) {
    for (const [name, handler] of Object.entries(m.tasks ?? {})) {
      if (tasks[name]) throw new Error(`two modules define the job "${name}"`);
      tasks[name] = handler;
    }
  }
  return tasks;
}

/**
 * Bulkheads: jobs that call slow third parties run in pools of their own, with their own
 * concurrency, so a seller's endpoint that takes 5 s per call fills only its pool and never delays
 * an order's email or stock jobs. graphile-worker fetches only the tasks in a runner's task list,
 * so giving each task to exactly one pool is all the separation needs.
 */
export function isolatedPools(app: Container): Array<{ name: string; tasks: Record<string, TaskHandler>; concurrency: number }> {
  return [{ name: 'webhooks', tasks: { ...app.webhooks.poolTasks }, concurrency: app.config.webhooks.concurrency }];
}

/** The worker role: drains the job queue of every database (catalog and each shard). */
export async function startWorkerRole(app: Container): Promise<Workers> {
  // Orders' sweeper is a self-rescheduling job: seed it (one pending at a time, by job key).
  await app.orders.scheduleSweeper();

  const pools = isolatedPools(app);
  const main = collectTasks(app);
  for (const pool of pools) for (const name of Object.keys(pool.tasks)) delete main[name];
  const started: Workers[] = [];
  try {
    started.push(
      await startWorkers({ databases: app.stores.all(), tasks: main, concurrency: app.config.worker.concurrency, log: app.log }),
    );
    for (const pool of pools) {
      started.push(
        await startWorkers({
          databases: app.stores.all(),
          tasks: pool.tasks,
          concurrency: pool.concurrency,
          log: app.log.child({ pool: pool.name }),
        }),
      );
    }
    // A worker-only process has no API server to carry /metrics: METRICS_PORT gives it a listener.
    const metricsPort = app.config.observability.metricsPort;
    if (metricsPort !== null) {
      const metrics = await startMetricsServer({ host: app.config.host, port: metricsPort });
      app.log.info({ url: metrics.url }, 'metrics listening');
      started.push({ stop: () => metrics.close() });
    }
  } catch (err) {
    await Promise.allSettled(started.map((w) => w.stop()));
    throw err;
  }
  return {
    async stop() {
      await Promise.allSettled(started.map((w) => w.stop()));
    },
  };
}
