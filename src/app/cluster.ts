import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/**
 * `atelier start --api-processes N` (or `atelier api --api-processes N`): N API processes on one
 * host sharing one port, through node:cluster.
 *
 * The primary keeps everything that must exist once per host: it applied the migrations, owns the
 * embedded PostgreSQL, runs the job workers and the simulated payment provider. Each forked
 * process runs as `atelier api`, exactly what a separate API process started by hand runs (it
 * attaches to the embedded server instead of owning it). The primary holds the listening socket
 * and hands each new connection to the next process in turn (round-robin, Node's default outside
 * Windows), so one busy process does not collect every connection.
 *
 * Nothing a request needs lives in one process's memory alone: sessions, carts and idempotency
 * keys are rows in PostgreSQL, the shared cache tier and rate-limit counters are in Redis when
 * REDIS_URL is set. A process may die and its replacement (or its sibling) serves the next
 * request of the same client.
 */
export type ApiCluster = Readonly<{
  /** The pids of the API processes running now. */
  pids(): number[];
  /**
   * Graceful stop: SIGTERM to every API process (each stops accepting, finishes its in-flight
   * requests and closes its pools), then waits for them to exit; one still running after
   * `timeoutMs` is killed.
   */
  stop(timeoutMs?: number): Promise<void>;
}>;

export type ApiClusterOptions = Readonly<{
  processes: number;
  log: Logger;
  /** Extra environment for the API processes. */
  env?: Readonly<Record<string, string>>;
  /** Called when the cluster gives up (the API processes keep crashing); the caller shuts down. */
  onFatal(reason: string): void;
}>;

/** A process that lived this long before dying is treated as a crash, not a crash loop. */
const HEALTHY_LIFETIME_MS = 60_000;
const FIRST_RESPAWN_DELAY_MS = 500;
const MAX_RESPAWN_DELAY_MS = 30_000;
const DEFAULT_STOP_TIMEOUT_MS = 30_000;
const MAX_FAILED_STARTS = 5;

/** Forks the API processes and resolves once every one of them is listening. */
export async function startApiCluster(opts: ApiClusterOptions): Promise<ApiCluster> {
  if (!cluster.isPrimary) throw new Error('startApiCluster runs in the primary process only');
  const { log } = opts;
  // The same entry point and Node flags as this process (bin/atelier.js through tsx), as `atelier api`.
  cluster.setupPrimary({ args: ['api'] });
  // API_PROCESSES=1 in the children: a child must never fork children of its own.
  const env = { ...opts.env, API_PROCESSES: '1' };
  const live = new Set<Worker>();
  let stopping = false;
  let respawnDelay = FIRST_RESPAWN_DELAY_MS;

  // Replacements that die before they listen, in a row: a replacement that cannot even start
  // (the database gone, a broken deploy) would otherwise be forked forever.
  let failedStarts = 0;

  const fork = (): Worker => {
    const worker = cluster.fork(env);
    const bornAt = Date.now();
    let listening = false;
    live.add(worker);
    worker.once('listening', () => {
      listening = true;
      failedStarts = 0;
    });
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      if (stopping || !started) return;
      const lived = Date.now() - bornAt;
      if (lived > HEALTHY_LIFETIME_MS) respawnDelay = FIRST_RESPAWN_DELAY_MS;
      if (!listening && ++failedStarts >= MAX_FAILED_STARTS) {
        log.fatal({ apiPid: worker.process.pid, code, signal, failedStarts }, 'API processes keep failing to start; giving up');
        opts.onFatal(`${failedStarts} API processes in a row exited before listening`);
        return;
      }
      log.error(
        { apiPid: worker.process.pid, code, signal, livedMs: lived, respawnInMs: respawnDelay },
        'an API process died; starting a replacement',
      );
      // The delay doubles while processes keep dying young, so a crash loop costs little CPU and
      // leaves readable logs.
      setTimeout(() => {
        if (!stopping) fork();
      }, respawnDelay).unref();
      respawnDelay = Math.min(respawnDelay * 2, MAX_RESPAWN_DELAY_MS);
    });
    return worker;
  };

  let started = false;
  const first = Array.from({ length: opts.processes }, () => fork());
  try {
    // Start-up: every process must come up once; one that exits before listening would fail the
    // same way again (bad setting, port taken), so start-up fails instead of looping.
    await Promise.all(
      first.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const onExit = (code: number | null, signal: string | null) =>
              reject(new Error(`API process ${worker.process.pid} exited (${signal ?? `code ${code}`}) before it listened`));
            worker.once('exit', onExit);
            worker.once('listening', () => {
              worker.off('exit', onExit);
              resolve();
            });
          }),
      ),
    );
  } catch (err) {
    stopping = true;
    await stopAll([...live], DEFAULT_STOP_TIMEOUT_MS, log);
    throw err;
  }
  started = true;
  log.info({ pids: first.map((w) => w.process.pid) }, `${opts.processes} API processes listening`);

  return {
    pids: () => [...live].map((w) => w.process.pid!).filter(Boolean),
    async stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS) {
      stopping = true;
      await stopAll([...live], timeoutMs, log);
    },
  };
}

async function stopAll(workers: readonly Worker[], timeoutMs: number, log: Logger): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      if (worker.isDead()) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.process.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      if ((await Promise.race([exited, late])) === 'late') {
        log.warn({ apiPid: worker.process.pid, timeoutMs }, 'an API process did not finish in time; killing it');
        worker.process.kill('SIGKILL');
        await exited;
      }
      clearTimeout(timer);
    }),
  );
}
