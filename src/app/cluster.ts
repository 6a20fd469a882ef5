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
   * Rolling restart (SIGUSR2 to the primary): replaces the API processes one at a time. For each:
   * fork its replacement, wait until it listens, then SIGTERM the old one and wait while it drains
   * (platform/http/graceful-drain.ts). At every moment at least N processes listen, so no request
   * goes unserved. A replacement that fails to start stops the restart and leaves the old process
   * in place. Resolves with what was replaced; a second call while one runs joins it.
   */
  restart(): Promise<RollingRestart>;
  /**
   * Graceful stop: SIGTERM to every API process (each stops accepting, finishes its in-flight
   * requests and closes its pools), then waits for them to exit; one still running after
   * `timeoutMs` is killed.
   */
  stop(timeoutMs?: number): Promise<void>;
}>;

/** What a rolling restart did: each old pid with its replacement and how long the old one took to drain. */
export type RollingRestart = Readonly<{
  replaced: ReadonlyArray<{ oldPid: number; newPid: number; startMs: number; drainMs: number }>;
  /** Why it stopped early, if it did (the remaining processes were left as they were). */
  aborted?: string;
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
/** How long a replacement may take to listen during a rolling restart (tsx compiles every module on a busy host). */
const REPLACEMENT_START_TIMEOUT_MS = 180_000;

/** Forks the API processes and resolves once every one of them is listening. */
export async function startApiCluster(opts: ApiClusterOptions): Promise<ApiCluster> {
  if (!cluster.isPrimary) throw new Error('startApiCluster runs in the primary process only');
  const { log } = opts;
  // The same entry point and Node flags as this process (bin/atelier.js through tsx), as `atelier api`.
  cluster.setupPrimary({ args: ['api'] });
  // API_PROCESSES=1 in the children: a child must never fork children of its own.
  const env = { ...opts.env, API_PROCESSES: '1' };
  const live = new Set<Worker>();
  // Processes whose exit is expected (retired by a rolling restart) or handled by the restart
  // itself (a replacement that has not listened yet): the crash handler does not replace them.
  const managed = new WeakSet<Worker>();
  let stopping = false;
  let respawnDelay = FIRST_RESPAWN_DELAY_MS;

  // Replacements that die before they listen, in a row: a replacement that cannot even start
  // (the database gone, a broken deploy) would otherwise be forked forever.
  let failedStarts = 0;

  /** Forks one API process; a `managed` one is not replaced by the crash handler if it dies (see `managed`). */
  const fork = (how: { managed?: boolean } = {}): Worker => {
    const worker = cluster.fork(env);
    if (how.managed) managed.add(worker);
    const bornAt = Date.now();
    let listening = false;
    live.add(worker);
    worker.once('listening', () => {
      listening = true;
      failedStarts = 0;
    });
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      if (stopping || !started || managed.has(worker)) return;
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

  /** One replacement after the other; see ApiCluster.restart. */
  const rollingRestart = async (): Promise<RollingRestart> => {
    const began = Date.now();
    const old = [...live];
    const replaced: Array<{ oldPid: number; newPid: number; startMs: number; drainMs: number }> = [];
    log.info({ pids: old.map((w) => w.process.pid) }, `rolling restart: replacing ${old.length} API processes one at a time`);
    for (const [i, worker] of old.entries()) {
      const step = `rolling restart ${i + 1}/${old.length}`;
      if (stopping) return { replaced, aborted: 'the cluster is stopping' };
      // One that crashed meanwhile was already replaced by the crash handler.
      if (worker.isDead()) continue;
      const oldPid = worker.process.pid!;
      log.info({ oldPid }, `${step}: starting a replacement for API process ${oldPid}`);
      const forkedAt = Date.now();
      const next = fork({ managed: true });
      const started = await listeningOrExit(next, REPLACEMENT_START_TIMEOUT_MS);
      if (started !== 'listening') {
        const aborted = `the replacement of API process ${oldPid} ${started}; the remaining processes keep running`;
        log.error({ oldPid, newPid: next.process.pid }, `${step}: ${aborted}`);
        if (!next.isDead()) await stopAll([next], DEFAULT_STOP_TIMEOUT_MS, log);
        return { replaced, aborted };
      }
      managed.delete(next);
      const startMs = Date.now() - forkedAt;
      if (stopping) return { replaced, aborted: 'the cluster is stopping' };
      log.info({ oldPid, newPid: next.process.pid, startMs }, `${step}: API process ${next.process.pid} listening; draining ${oldPid}`);
      managed.add(worker);
      const drainStarted = Date.now();
      await stopAll([worker], DEFAULT_STOP_TIMEOUT_MS, log);
      const drainMs = Date.now() - drainStarted;
      log.info({ oldPid, newPid: next.process.pid, drainMs }, `${step}: API process ${oldPid} drained and exited`);
      replaced.push({ oldPid, newPid: next.process.pid!, startMs, drainMs });
    }
    log.info({ replaced, ms: Date.now() - began }, `rolling restart done: ${replaced.length} API processes replaced`);
    return { replaced };
  };
  let restarting: Promise<RollingRestart> | undefined;

  return {
    pids: () => [...live].map((w) => w.process.pid!).filter(Boolean),
    restart() {
      if (restarting) {
        log.warn('rolling restart already in progress; not starting another');
        return restarting;
      }
      restarting = rollingRestart().finally(() => (restarting = undefined));
      return restarting;
    },
    async stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS) {
      stopping = true;
      await stopAll([...live], timeoutMs, log);
    },
  };
}

/** Whether a forked process listened, exited first, or did neither within `timeoutMs`. */
function listeningOrExit(worker: Worker, timeoutMs: number): Promise<'listening' | 'exited before it listened' | 'did not listen in time'> {
  return new Promise((resolve) => {
    const done = (outcome: 'listening' | 'exited before it listened' | 'did not listen in time') => {
      clearTimeout(timer);
      worker.off('listening', onListening);
      worker.off('exit', onExit);
      resolve(outcome);
    };
    const onListening = () => done('listening');
    const onExit = () => done('exited before it listened');
    const timer = setTimeout(() => done('did not listen in time'), timeoutMs);
    worker.once('listening', onListening);
    worker.once('exit', onExit);
  });
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
