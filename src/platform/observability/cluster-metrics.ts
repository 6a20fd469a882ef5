import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry } from 'prom-client';
import { registry } from './metrics.ts';

/**
 * Metrics of `--api-processes N` (app/cluster.ts): one scrape target per host, the primary's
 * metrics port, instead of one per API process. A rolling restart replaces API processes while
 * their successors are already serving, so per-process ports would either collide or move under
 * Prometheus; the primary stays.
 *
 * At each scrape the primary asks every API process for its registry as JSON over the cluster's
 * IPC channel and merges them with its own through prom-client's AggregatorRegistry: counters and
 * histograms add up, each gauge by its `aggregator` (metrics.ts: pools add up, database-wide
 * figures such as queue depth take the max, event-loop lag the average). An API process that does
 * not answer within the timeout (busy, or being replaced) is left out of that scrape.
 */
const REQUEST = 'atelier:metrics-request';
const RESPONSE = 'atelier:metrics-response';
const DEFAULT_TIMEOUT_MS = 2000;

/** One process's registry, as getMetricsAsJSON gives it and AggregatorRegistry.aggregate takes it. */
type Exposed = Awaited<ReturnType<typeof registry.getMetricsAsJSON>>;
type Request = { type: typeof REQUEST; id: string };
type Response = { type: typeof RESPONSE; id: string; metrics?: Exposed; error?: string };

let answering = false;
/** In an API process of a cluster: answer the primary's scrape requests with this process's registry. */
export function answerClusterScrapes(): void {
  if (!cluster.isWorker || answering) return;
  answering = true;
  process.on('message', (message: Partial<Request>) => {
    if (message?.type !== REQUEST || typeof message.id !== 'string') return;
    const id = message.id;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ type: RESPONSE, id, metrics } satisfies Response),
      (err: unknown) => process.send?.({ type: RESPONSE, id, error: (err as Error).message } satisfies Response),
    );
  });
}

/** In the primary: this process's metrics and every live API process's, as one exposition. */
export async function renderClusterMetrics(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
  const id = randomUUID();
  const theirs = await Promise.all(
    workers.map(
      (worker) =>
        new Promise<Exposed | null>((resolve) => {
          const done = (value: Exposed | null) => {
            clearTimeout(timer);
            worker.off('message', onMessage);
            worker.off('exit', onExit);
            resolve(value);
          };
          const onMessage = (message: Partial<Response>) => {
            if (message?.type === RESPONSE && message.id === id) done(message.metrics ?? null);
          };
          const onExit = () => done(null);
          const timer = setTimeout(() => done(null), timeoutMs);
          worker.on('message', onMessage);
          worker.once('exit', onExit);
          try {
            worker.send({ type: REQUEST, id } satisfies Request);
          } catch {
            done(null);
          }
        }),
    ),
  );
  const own = await registry.getMetricsAsJSON();
  return AggregatorRegistry.aggregate([own, ...theirs.filter((m) => m !== null)]).metrics();
}
