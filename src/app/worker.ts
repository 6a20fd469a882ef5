import pg from 'pg';
import type { DatabaseHandle } from '../platform/postgres/database.ts';
import { startWorkers, type TaskHandler, type Workers } from '../platform/queue/queue.ts';
import { RESIZE_TASK } from '../modules/media/index.ts';
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

/** One isolated worker pool: its tasks (no other pool runs them) and its slots per database. */
type Pool = { name: string; tasks: Record<string, TaskHandler>; concurrency: number };

/**
 * Bulkheads: jobs that call slow third parties or burn CPU run in pools of their own, with their
 * own concurrency, so a seller's endpoint that takes 5 s per call fills only the webhook pool, a
 * hung mail server only the email pool (where each send also holds a database connection), and a
 * batch of image resizes only the media pool; none of them delays an order's payment or stock
 * jobs. graphile-worker fetches only the tasks in a runner's task list, so giving each task to
 * exactly one pool is all the separation needs.
 */
export function isolatedPools(app: Container): Pool[] {
  const resize = collectTasks(app)[RESIZE_TASK];
  const pools: Pool[] = [
    { name: 'webhooks', tasks: { ...app.webhooks.poolTasks }, concurrency: app.config.webhooks.concurrency },
    { name: 'email', tasks: { ...app.notifications.poolTasks }, concurrency: app.config.mail.concurrency },
    { name: 'media', tasks: resize ? { [RESIZE_TASK]: resize } : {}, concurrency: app.config.media.concurrency },
  ];
  return pools.filter((pool) => Object.keys(pool.tasks).length > 0);
}

/**
 * How long an isolated pool's runner waits after finding no job before it asks again (on average;
 * see startWorkers' idleRefetchMs). Every job added to a database wakes every runner on it, and
 * most of an order's jobs are the main pool's: without the wait, the email, webhook and media
 * runners each ran a fetch that found nothing for nearly every job of every order. A quarter
 * second is nothing for an email or a webhook; an idle pool's first job waits at most 1.5 times
 * that (a busy pool keeps fetching at once, since its fetches find jobs).
 */
const ISOLATED_IDLE_REFETCH_MS = 250;

/**
 * The database as an isolated pool's runner sees it: the same database through a small pg pool of
 * its own. graphile-worker holds one connection per runner for LISTEN, and takes more to fetch and
 * complete jobs; on the app's pool (PG_POOL_MAX) three isolated runners per database would hold
 * three of its connections for LISTEN alone and compete with requests for the rest (with the
 * tests' pool of 5, checkouts waited out the pool and answered 503). The jobs' own queries still
 * go through the app's pools; only the queue's bookkeeping moves here.
 *
 * Its cap is the pool's concurrency plus the LISTEN connection: what graphile-worker may ask of it
 * (a connection per job it fetches or completes at once). The cap used to be 2 whatever the
 * concurrency, and graphile-worker warned at every start, once per database, "maxPoolSize (2)
 * smaller than concurrency (4)". A pg pool opens connections only when asked, and with the batched
 * local queue (queue.ts) a runner asks for about two, so the higher cap costs nothing when idle.
 */
function queueHandle(handle: DatabaseHandle, pool: Pool): DatabaseHandle {
  const queuePool = new pg.Pool({
    connectionString: handle.url,
    max: pool.concurrency + 1,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: `atelier-${pool.name}-queue`,
  });
  // As in database.ts: a dropped idle connection must not crash the process; the next use reconnects.
  queuePool.on('error', () => undefined);
  queuePool.on('connect', (client) => client.on('error', () => undefined));
  return { ...handle, pool: queuePool };
}

/** The worker role: drains the job queue of every database (catalog and each shard). */
export async function startWorkerRole(app: Container): Promise<Workers> {
  // Orders' sweeper is a self-rescheduling job: seed it (one pending at a time, by job key).
  await app.orders.scheduleSweeper();

  const pools = isolatedPools(app);
  const main = collectTasks(app);
  for (const pool of pools) for (const name of Object.keys(pool.tasks)) delete main[name];
  const started: Workers[] = [];
  const queuePools: pg.Pool[] = [];
  try {
    started.push(
      await startWorkers({ databases: app.stores.all(), tasks: main, concurrency: app.config.worker.concurrency, log: app.log }),
    );
    for (const pool of pools) {
      const databases = app.stores.all().map((h) => queueHandle(h, pool));
      queuePools.push(...databases.map((d) => d.pool));
      started.push(
        await startWorkers({
          databases,
          tasks: pool.tasks,
          concurrency: pool.concurrency,
          idleRefetchMs: ISOLATED_IDLE_REFETCH_MS,
          log: app.log.child({ pool: pool.name }),
        }),
      );
    }
  } catch (err) {
    await Promise.allSettled(started.map((w) => w.stop()));
    await Promise.allSettled(queuePools.map((p) => p.end()));
    throw err;
  }
  return {
    async stop() {
      await Promise.allSettled(started.map((w) => w.stop()));
      await Promise.allSettled(queuePools.map((p) => p.end()));
    },
  };
}
