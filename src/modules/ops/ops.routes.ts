import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { LiveFigures } from '../../platform/observability/live-figures.ts';
import { auditActorOf } from '../audit/index.ts';
import type { AuthGuards } from '../identity/index.ts';
import { dataPlacement } from './ops.data.ts';
import type { OpsJobs } from './ops.jobs.ts';
import { DataQuery, DataSchema, ErrorSchema, JobParams, NowSchema, RetriedJob } from './ops.schemas.ts';
import type { Stores } from '../../platform/postgres/stores.ts';

const tags = ['ops'];

/** The operator console's routes (admins only): failed jobs retried or discarded, the Now figures, where the data is. */
export function opsModuleRoutes(deps: {
  jobs: OpsJobs;
  live: LiveFigures;
  stores: Stores;
  replicaSettings: Readonly<{ maxLagMs: number }>;
  guards: AuthGuards;
}): FastifyPluginAsync {
  const { jobs, live, stores, guards } = deps;
  return async (instance) => {
    const api = instance.withTypeProvider<TypeBoxTypeProvider>();
    const admin = { preHandler: guards.requireRole('admin') };

    api.post(
      '/admin/jobs/:database/:id/retry',
      {
        ...admin,
        schema: {
          operationId: 'retryFailedJob',
          tags,
          summary: 'Run a failed job again now, with its attempts back to zero (audited)',
          params: JobParams,
          response: { 200: RetriedJob, 409: ErrorSchema },
        },
      },
      async (request) => {
        const job = await jobs.retry(auditActorOf(request), request.params.database, request.params.id);
        return { job: { ...job, runAt: job.runAt.toISOString() } };
      },
    );

    api.post(
      '/admin/jobs/:database/:id/discard',
      {
        ...admin,
        schema: {
          operationId: 'discardFailedJob',
          tags,
          summary: 'Remove a failed job from its queue for good (audited)',
          params: JobParams,
          response: { 204: { type: 'null', description: 'Discarded' }, 409: ErrorSchema },
        },
      },
      async (request, reply) => {
        await jobs.discard(auditActorOf(request), request.params.database, request.params.id);
        return reply.code(204).send();
      },
    );

    api.get(
      '/admin/now',
      {
        ...admin,
        schema: {
          operationId: 'getLiveFigures',
          tags,
          summary:
            "Now: orders a minute, sales, error rate, p99 latency, queues, cache hit ratio, replica lag and breakers, from this process's metrics",
          response: { 200: NowSchema },
        },
      },
      async () => live.now(),
    );

    api.get(
      '/admin/data',
      {
        ...admin,
        schema: {
          operationId: 'getDataPlacement',
          tags,
          summary: 'Shards and their placement on databases, the nodes serving, replicas and their lag',
          querystring: DataQuery,
          response: { 200: DataSchema },
        },
      },
      async (request) => dataPlacement(stores, deps.replicaSettings, { rows: request.query.rows }),
    );
  };
}
