import { Type } from '@sinclair/typebox';
import { MAX_AMOUNT } from '../../shared/money.ts';
import { ACCOUNT_EMAIL_KINDS, EMAIL_KINDS } from './notifications.types.ts';

/** The job payload, checked when enqueued and again when run (a job outlives the code that queued it). */
// Also the outbox file name and part of the Message-ID: a small, safe alphabet.
const MessageKey = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' });
const Recipient = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@<>,;"]+@[^\\s@<>,;"]+$' });
const ShardedId = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' });

export const OrderEmailSchema = Type.Object(
  {
    messageKey: MessageKey,
    to: Recipient,
    kind: Type.Union(EMAIL_KINDS.map((k) => Type.Literal(k))),
    orderId: ShardedId,
    customerName: Type.String({ minLength: 0, maxLength: 200 }),
    lines: Type.Array(
      Type.Object(
        {
          title: Type.String({ minLength: 1, maxLength: 300 }),
          quantity: Type.Integer({ minimum: 1, maximum: 1000 }),
          unitPrice: Type.Integer({ minimum: 0, maximum: MAX_AMOUNT }),
        },
        { additionalProperties: false },
      ),
      { minItems: 0, maxItems: 200 },
    ),
    // A sum of lines, which may pass the largest price (an order placed before checkout capped
    // totals at payments' limit): its payment-failed email must still be sendable.
    total: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    shipment: Type.Optional(
      Type.Object(
        {
          carrier: Type.String({ minLength: 1, maxLength: 100 }),
          trackingNumber: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
          // A link the buyer is asked to open: http(s) only, never javascript: or data:.
          trackingUrl: Type.Union([Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://[^\\s<>"]+$' }), Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
    shopName: Type.Optional(Type.String({ minLength: 0, maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const AccountEmailSchema = Type.Object(
  {
    messageKey: MessageKey,
    to: Recipient,
    kind: Type.Union(ACCOUNT_EMAIL_KINDS.map((k) => Type.Literal(k))),
    accountId: ShardedId,
    name: Type.String({ minLength: 0, maxLength: 200 }),
    // Only our own https/http links: the email must never point a reader somewhere a caller chose.
    link: Type.Union([Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://[^\\s<>"]+$' }), Type.Null()]),
  },
  { additionalProperties: false },
);
