import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { listFailedJobs } from '../platform/queue/queue.ts';
import { ReplicaStatusSchema } from '../modules/ops/index.ts';
import type { Container } from './container.ts';

const FailedJob = Type.Object(
  {
    database: Type.String(),
    id: Type.String(),
    task: Type.String(),
    attempts: Type.Integer(),
    maxAttempts: Type.Integer(),
    lastError: Type.Union([Type.String(), Type.Null()]),
    runAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** Operator routes (admin only): what an on-call engineer needs to see without a database shell. */
export function opsRoutes(app: Container): FastifyPluginAsync {
  return async (api) => {
    api.get(
      '/admin/jobs/failed',
      {
        preHandler: app.identity.guards.requireRole('admin'),
        schema: {
          operationId: 'listFailedJobs',
          tags: ['ops'],
          summary: 'Jobs that used up their attempts, from every database',
          querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }, { additionalProperties: false }),
          response: { 200: Type.Object({ items: Type.Array(FailedJob) }, { additionalProperties: false }) },
        },
      },
      async (request) => {
        const { limit } = request.query as { limit: number };
        const items = await listFailedJobs(app.stores.all(), limit);
        return { items: items.map((j) => ({ ...j, runAt: j.runAt.toISOString() })) };
      },
    );

    api.get(
      '/admin/replicas',
      {
        preHandler: app.identity.guards.requireRole('admin'),
        schema: {
          operationId: 'listReplicas',
          tags: ['ops'],
          summary: "The catalog store's read replicas as this node sees them: rotation, lag, replay position",
          response: {
            200: Type.Object(
              {
                maxLagMs: Type.Integer(),
                checkIntervalMs: Type.Integer(),
                readYourWritesMs: Type.Integer(),
                items: Type.Array(ReplicaStatusSchema),
              },
              { additionalProperties: false },
            ),
          },
        },
      },
      async () => {
        const settings = app.config.catalogReplicas;
        return {
          maxLagMs: settings.maxLagMs,
          checkIntervalMs: settings.checkIntervalMs,
          readYourWritesMs: settings.readYourWritesMs,
          items: app.stores.catalogReplicas.status(),
        };
      },
    );
  };
}
