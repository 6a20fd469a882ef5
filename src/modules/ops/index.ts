/**
 * Ops: what the operator console acts on and reads, besides the audit log: failed jobs (retry,
 * discard; audited), the live "Now" figures from the process's own metrics, and where the data is
 * (shards, nodes, replicas). No tables of its own: jobs are the queues', figures the registry's.
 */
import type { Logger } from 'pino';
import type { ModuleDefinition } from '../../platform/module.ts';
import { startLiveFigures, type LiveFiguresSettings, type NowFigures } from '../../platform/observability/live-figures.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { AuditRecorder } from '../audit/index.ts';
import type { AuthGuards } from '../identity/index.ts';
import { dataPlacement, type DataPlacement } from './ops.data.ts';
import { createOpsJobs, type OpsJobs } from './ops.jobs.ts';
import { opsModuleRoutes } from './ops.routes.ts';

export { ReplicaStatusSchema } from './ops.schemas.ts';
export type { DataPlacement, NowFigures, OpsJobs };

export type OpsModule = ModuleDefinition &
  Readonly<{
    /** Failed jobs: list, retry, discard (the console's Jobs page calls these). */
    jobs: OpsJobs;
    /** The Now figures of this process. */
    now(): Promise<NowFigures>;
    /** Shards, their placement, the nodes and the replicas; `rows` counts every sharded table's rows. */
    data(opts?: { rows?: boolean }): Promise<DataPlacement>;
    /** Stops sampling the metrics. */
    close(): void;
  }>;

export function createOps(deps: {
  stores: Stores;
  audit: AuditRecorder;
  guards: AuthGuards;
  replicaSettings: Readonly<{ maxLagMs: number }>;
  live?: LiveFiguresSettings;
  log: Logger;
}): OpsModule {
  const jobs = createOpsJobs({ stores: deps.stores, audit: deps.audit });
  const live = startLiveFigures(deps.live);
  return {
    name: 'ops',
    migrations: { module: 'ops' },
    routes: opsModuleRoutes({ jobs, live, stores: deps.stores, replicaSettings: deps.replicaSettings, guards: deps.guards }),
    jobs,
    now: () => live.now(),
    data: (opts) => dataPlacement(deps.stores, deps.replicaSettings, { rows: opts?.rows ?? false }),
    close: () => live.stop(),
  };
}
