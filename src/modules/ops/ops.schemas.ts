import { Type } from '@sinclair/typebox';

/** Request and response schemas of the console's operator routes: every object closed. */
const closed = { additionalProperties: false } as const;
const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

export const JobParams = Type.Object(
  {
    database: Type.String({ minLength: 1, maxLength: 63, description: 'The database whose queue holds the job (catalog, shard0, ...)' }),
    id: Type.String({ minLength: 1, maxLength: 20, description: "The job's id on that database" }),
  },
  closed,
);

export const RetriedJob = Type.Object(
  {
    job: Type.Object(
      { database: Type.String(), id: Type.String(), task: Type.String(), runAt: Type.String({ format: 'date-time' }) },
      closed,
    ),
  },
  closed,
);

export const ReplicaStatusSchema = Type.Object(
  {
    name: Type.String(),
    url: Type.String({ description: 'Without its password' }),
    healthy: Type.Boolean({ description: 'In rotation: serves reads' }),
    state: Type.Union([
      Type.Literal('starting'),
      Type.Literal('healthy'),
      Type.Literal('lagging'),
      Type.Literal('unreachable'),
      Type.Literal('not_a_replica'),
    ]),
    lagMs: Type.Union([Type.Integer(), Type.Null()]),
    lagBytes: Type.Union([Type.Integer(), Type.Null()]),
    replayLsn: Type.Union([Type.String(), Type.Null()]),
    replayPaused: Type.Union([Type.Boolean(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    checkedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    reads: Type.Integer(),
    fallbacks: Type.Integer(),
  },
  closed,
);

const Money = Type.Object({ currency: Type.String(), amount: Type.Integer({ description: 'Minor units' }) }, closed);

const windowFields = {
  seconds: Type.Number({ description: 'The span the figures cover (shorter while the process is young)' }),
  orders: Type.Integer({ description: 'Orders paid' }),
  ordersPerMinute: Type.Number(),
  sales: Type.Array(Money, { description: 'Totals of the orders paid, per currency' }),
  requests: Type.Integer(),
  requestsPerSecond: Type.Number(),
  errorRate: Nullable(Type.Number({ description: 'Share of requests answered 5xx, 0..1' })),
  p99LatencyMs: Nullable(Type.Number({ description: '99th percentile of request latency' })),
  cacheHitRatio: Nullable(Type.Number({ description: 'Cache reads answered by a tier, 0..1' })),
};
const WindowFigures = Type.Object(windowFields, closed);

export const NowSchema = Type.Object(
  {
    at: Type.String({ format: 'date-time' }),
    sampledForSeconds: Type.Integer(),
    lastMinute: WindowFigures,
    lastHour: WindowFigures,
    queues: Type.Array(
      Type.Object(
        {
          database: Type.String(),
          depth: Type.Integer({ description: 'Jobs due and waiting for a worker' }),
          oldestJobAgeSeconds: Type.Number({ description: 'How long the oldest due job has waited' }),
          running: Type.Integer(),
          failed: Type.Integer({ description: 'Out of attempts: for an operator to retry or discard' }),
        },
        closed,
      ),
    ),
    cacheHitRatio: Nullable(Type.Number()),
    replicas: Type.Array(Type.Object({ name: Type.String(), healthy: Type.Boolean(), lagSeconds: Nullable(Type.Number()) }, closed)),
    breakers: Type.Array(Type.Object({ name: Type.String(), state: Type.String({ description: 'closed, half_open or open' }) }, closed)),
    history: Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), ...windowFields }, closed), {
      description: 'One point per sampling interval, oldest first',
    }),
  },
  { ...closed, description: "This process's figures, from its own metrics" },
);

export const DataQuery = Type.Object(
  { rows: Type.Boolean({ default: false, description: 'Count the rows of every sharded table (scans them)' }) },
  closed,
);

export const DataSchema = Type.Object(
  {
    shardMap: Type.Object(
      {
        version: Type.Integer(),
        logicalShards: Type.Integer(),
        servedVersion: Type.Integer({ description: 'The map version this node routes by' }),
        databases: Type.Array(
          Type.Object(
            {
              name: Type.String(),
              logicalShards: Type.Array(Type.Integer()),
              frozen: Type.Array(Type.Integer(), { description: 'Held by a move in progress' }),
              rows: Type.Union([Type.Record(Type.String(), Type.Integer()), Type.Null()]),
            },
            closed,
          ),
        ),
      },
      closed,
    ),
    nodes: Type.Array(
      Type.Object({ nodeId: Type.String(), role: Type.String(), mapVersion: Type.Integer(), seenSecondsAgo: Type.Number() }, closed),
    ),
    stray: Type.Union([
      Type.Array(Type.Object({ database: Type.String(), logicalShard: Type.Integer(), rows: Type.Integer() }, closed)),
      Type.Null(),
    ]),
    replicas: Type.Object({ enabled: Type.Boolean(), maxLagMs: Type.Integer(), items: Type.Array(ReplicaStatusSchema) }, closed),
  },
  closed,
);

export { ErrorResponseSchema as ErrorSchema } from '../../platform/http/schemas.ts';
