import { Type } from '@sinclair/typebox';
import { WEBHOOK_EVENT_TYPES } from './webhooks.types.ts';
import { MAX_URL_LENGTH } from './webhooks.urls.ts';

export { ErrorResponseSchema as ErrorResponse } from '../../platform/http/schemas.ts';

const obj = <T extends Parameters<typeof Type.Object>[0]>(props: T) => Type.Object(props, { additionalProperties: false });
const Id = Type.String({ format: 'uuid', maxLength: 36 });
const Instant = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const EventType = Type.Union(
  WEBHOOK_EVENT_TYPES.map((t) => Type.Literal(t)),
  { description: 'An order event' },
);

export const RegisterBody = obj({
  url: Type.String({
    minLength: 1,
    maxLength: MAX_URL_LENGTH,
    description:
      'Where deliveries are POSTed: https:// and a public address (http:// and local addresses only where WEBHOOKS_ALLOW_INSECURE is set)',
  }),
  eventTypes: Type.Array(EventType, { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length * 2, description: 'The events to receive' }),
});

export const EndpointParams = obj({ id: Id });
export const DeliveryParams = obj({ id: Id, deliveryId: Id });
export const RedeliverResponse = obj({
  delivery: obj({ id: Id, status: Type.Literal('pending', { description: 'Queued to be sent again now' }) }),
});

export const Endpoint = obj({
  id: Id,
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  createdAt: Instant,
  lastSuccessAt: Nullable(Instant),
  consecutiveFailures: Type.Integer({ minimum: 0, description: 'Failed attempts since the last success' }),
  disabledAt: Nullable(Instant),
  notice: Nullable(Type.String({ description: 'Why the endpoint was disabled and what to do; null while active' })),
});

export const RegisterResponse = obj({
  endpoint: Endpoint,
  secret: Type.String({ description: 'The signing secret: shown once, store it now' }),
});
export const EndpointResponse = obj({ endpoint: Endpoint });
export const EndpointList = obj({ endpoints: Type.Array(Endpoint) });

export const DeliveryList = obj({
  deliveries: Type.Array(
    obj({
      id: Id,
      eventId: Id,
      eventType: Type.String(),
      status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('held'), Type.Literal('failed')], {
        description: 'pending: retrying; delivered; held: kept while the endpoint is disabled; failed: gave up after the retry window',
      }),
      attempts: Type.Integer({ minimum: 0 }),
      nextAttemptAt: Nullable(Instant),
      lastStatusCode: Nullable(Type.Integer()),
      lastError: Nullable(Type.String()),
      deliveredAt: Nullable(Instant),
      createdAt: Instant,
      recentAttempts: Type.Array(
        obj({
          attempt: Type.Integer({ minimum: 1 }),
          attemptedAt: Instant,
          statusCode: Nullable(Type.Integer()),
          error: Nullable(Type.String()),
          durationMs: Type.Integer({ minimum: 0 }),
        }),
      ),
    }),
    { description: 'The latest deliveries, newest first' },
  ),
});
