import type { DatabaseHandle } from '../../platform/postgres/database.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import { discardJob, listFailedJobs, lockJob, retryJob, type FailedJob } from '../../platform/queue/queue.ts';
import type { AuditActor, AuditRecorder } from '../audit/index.ts';
import { opsErrors } from './ops.errors.ts';

/**
 * Failed jobs as the console acts on them: list them (every database), retry one (it runs again
 * at the workers' next poll) or discard it. A job is named by its database and its id there (ids
 * are per database). Retry and discard lock the job's row, refuse one that is not failed (waiting
 * for a retry, or running), and are audited in the same transaction, on the job's database.
 */
export type OpsJobs = Readonly<{
  failed(limit: number): Promise<FailedJob[]>;
  retry(actor: AuditActor, database: string, id: string): Promise<{ database: string; id: string; task: string; runAt: Date }>;
  discard(actor: AuditActor, database: string, id: string): Promise<void>;
}>;

const isJobId = (id: string) => /^[1-9][0-9]{0,17}$/.test(id);

export function createOpsJobs(deps: { stores: Stores; audit: AuditRecorder }): OpsJobs {
  const { stores, audit } = deps;
  const handleOf = (database: string): DatabaseHandle => {
    const handle = stores.all().find((h) => h.name === database);
    if (!handle) throw opsErrors.jobNotFound();
    return handle;
  };

  async function act<T>(
    actor: AuditActor,
    database: string,
    id: string,
    change: (handle: DatabaseHandle, trx: Parameters<typeof retryJob>[0]) => Promise<{ value: T; after: Record<string, unknown> | null }>,
    action: 'job.retried' | 'job.discarded',
  ): Promise<T> {
    if (!isJobId(id)) throw opsErrors.jobNotFound();
    const handle = handleOf(database);
    return handle.db.transaction().execute(async (trx) => {
      const job = await lockJob(trx, id);
      if (!job) throw opsErrors.jobNotFound();
      if (!job.failed) throw opsErrors.jobNotFailed(job.attempts, job.maxAttempts);
      const { value, after } = await change(handle, trx);
      await audit.record(trx, actor, {
        action,
        targetType: 'job',
        targetId: `${database}:${id}`,
        before: { task: job.task, attempts: job.attempts, maxAttempts: job.maxAttempts, lastError: job.lastError },
        after,
      });
      return value;
    });
  }

  return {
    failed: (limit) => listFailedJobs(stores.all(), limit),

    retry: (actor, database, id) =>
      act(
        actor,
        database,
        id,
        async (_handle, trx) => {
          const { runAt } = await retryJob(trx, id);
          const locked = (await lockJob(trx, id))!;
          return {
            value: { database, id, task: locked.task, runAt },
            after: { attempts: locked.attempts, maxAttempts: locked.maxAttempts, runAt: runAt.toISOString() },
          };
        },
        'job.retried',
      ),

    discard: (actor, database, id) =>
      act(
        actor,
        database,
        id,
        async (_handle, trx) => {
          await discardJob(trx, id);
          return { value: undefined, after: null };
        },
        'job.discarded',
      ),
  };
}
