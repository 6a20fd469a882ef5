import { Type } from '@sinclair/typebox';

/** Request and response schemas of the audit routes: every object closed, every string bounded. */
const closed = { additionalProperties: false } as const;
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Fields = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]);
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, hex' });

export const SearchQuery = Type.Object(
  {
    actorId: Type.Optional(Text(100)),
    action: Type.Optional(Text(100)),
    targetType: Type.Optional(Text(100)),
    targetId: Type.Optional(Text(200)),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Entries from this time on (inclusive)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Entries before this time (exclusive)' })),
    cursor: Type.Optional(Type.String({ maxLength: 20, description: 'The nextCursor of the previous page' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  closed,
);

export const AuditEntrySchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'Its place in the chain' }),
    eventId: Type.String({ format: 'uuid' }),
    occurredAt: Type.String({ format: 'date-time', description: 'When the action was taken' }),
    recordedAt: Type.String({ format: 'date-time', description: 'When the entry was written to the log' }),
    actor: Type.Object(
      {
        accountId: Type.String(),
        role: Type.String(),
        ip: Type.Union([Type.String(), Type.Null()]),
        userAgent: Type.Union([Type.String(), Type.Null()]),
      },
      closed,
    ),
    action: Type.String({ description: 'What was done, e.g. inventory.restocked' }),
    target: Type.Object({ type: Type.String(), id: Type.String() }, closed),
    before: Fields,
    after: Fields,
    reason: Type.Union([Type.String(), Type.Null()]),
    prevHash: Hash,
    hash: Hash,
  },
  closed,
);

export const AuditPageSchema = Type.Object(
  { items: Type.Array(AuditEntrySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  closed,
);

export const ChainVerdictSchema = Type.Object(
  {
    ok: Type.Boolean(),
    entries: Type.Integer({ minimum: 0, description: 'Entries checked (all of them when ok)' }),
    headSeq: Type.Optional(Type.Integer({ minimum: 0 })),
    headHash: Type.Optional(Hash),
    firstBad: Type.Optional(
      Type.Object(
        {
          seq: Type.Integer(),
          eventId: Type.Union([Type.String(), Type.Null()]),
          problem: Type.Union([
            Type.Literal('content_changed'),
            Type.Literal('link_broken'),
            Type.Literal('entry_missing'),
            Type.Literal('head_mismatch'),
          ]),
          message: Type.String(),
        },
        closed,
      ),
    ),
  },
  { ...closed, description: 'ok, or the first entry that does not verify' },
);
