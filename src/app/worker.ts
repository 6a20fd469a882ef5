import { startWorkers, type TaskHandler, type Workers } from '../platform/queue/queue.ts';
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

/** The worker role: drains the job queue of every database (catalog and each shard). */
export async function startWorkerRole(app: Container): Promise<Workers> {
  // Orders' sweeper is a self-rescheduling job: seed it (one pending at a time, by job key).
  await app.orders.scheduleSweeper();

  return startWorkers({
    databases: app.stores.all(),
    tasks: collectTasks(app),
    concurrency: app.config.worker.concurrency,
    log: app.log,
  });
}
