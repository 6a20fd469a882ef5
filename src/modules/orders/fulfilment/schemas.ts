import { Type } from '@sinclair/typebox';
import { ErrorResponse, Id, LineSchema, MoneySchema, ShippingAddressSchema, Status } from '../orders.schemas.ts';
import { KNOWN_CARRIERS } from './carriers.ts';

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const SubOrderParams = Type.Object({ subOrderId: Id }, { additionalProperties: false });
export const OrderParams = Type.Object({ id: Id }, { additionalProperties: false });

const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 });
const Cursor = Type.Optional(Type.String({ maxLength: 36 }));

export const SellerOrderQuery = Type.Object(
  {
    cursor: Cursor,
    limit: Limit,
    status: Type.Optional(Status),
    placedFrom: Type.Optional(Type.String({ format: 'date-time', description: 'Placed at or after this time' })),
    placedBefore: Type.Optional(Type.String({ format: 'date-time', description: 'Placed before this time' })),
  },
  { additionalProperties: false },
);

export const SellerOrderList = Type.Object(
  {
    items: Type.Array(
      Type.Object({ subOrderId: Id, orderId: Id, status: Status, total: MoneySchema, placedAt: DateTime }, { additionalProperties: false }),
    ),
    nextCursor: Nullable(Id),
  },
  { additionalProperties: false },
);

const ShipmentSchema = Type.Object(
  { carrier: Type.String(), carrierName: Type.String(), trackingNumber: Nullable(Type.String()), trackingUrl: Nullable(Type.String()) },
  { additionalProperties: false },
);

const RefundLineSchema = Type.Object(
  { variantId: Id, quantity: Type.Integer({ minimum: 1 }), amount: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

const RefundSchema = Type.Object(
  {
    id: Id,
    orderId: Id,
    subOrderId: Id,
    amount: MoneySchema,
    lines: Type.Array(RefundLineSchema),
    reason: Nullable(Type.String()),
    status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
    createdAt: DateTime,
  },
  { additionalProperties: false },
);

const SubOrderDetail = Type.Object(
  {
    id: Id,
    orderId: Id,
    orderReference: Type.String(),
    shopId: Id,
    shopName: Type.String(),
    status: Status,
    total: MoneySchema,
    refunded: MoneySchema,
    shippingAddress: ShippingAddressSchema,
    placedAt: DateTime,
    fulfilledAt: Nullable(DateTime),
    shippedAt: Nullable(DateTime),
    deliveredAt: Nullable(DateTime),
    shipment: Nullable(ShipmentSchema),
    lines: Type.Array(
      Type.Composite([LineSchema, Type.Object({ refundedQuantity: Type.Integer({ minimum: 0 }) })], { additionalProperties: false }),
    ),
    refunds: Type.Array(RefundSchema),
  },
  { additionalProperties: false },
);

export const SellerSubOrder = Type.Object({ subOrder: SubOrderDetail }, { additionalProperties: false });

// Display text a seller types: no control characters (it goes into emails and onto labels).
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]+$';
const Printable = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: PRINTABLE });

/**
 * What a shipment's fields may hold: the API's schema below and the studio's ship form both read
 * these, so a page cannot take more than the API would (or refuse what it takes).
 */
export const SHIPMENT_FIELDS = {
  carrier: { maxLength: 60, pattern: PRINTABLE },
  trackingNumber: { maxLength: 60, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._/-]*$' },
  trackingUrl: { maxLength: 2000, pattern: '^https?://[^\\s<>"]+$' },
} as const;

export const AdvanceBody = Type.Object(
  {
    to: Type.Union([Type.Literal('fulfilled'), Type.Literal('shipped'), Type.Literal('delivered')]),
    carrier: Type.Optional(
      Type.String({
        minLength: 1,
        ...SHIPMENT_FIELDS.carrier,
        description: `With "shipped": the carrier. These get their tracking link built: ${KNOWN_CARRIERS.join(', ')}`,
      }),
    ),
    trackingNumber: Type.Optional(Type.String({ minLength: 1, ...SHIPMENT_FIELDS.trackingNumber })),
    trackingUrl: Type.Optional(
      Type.String({
        minLength: 1,
        ...SHIPMENT_FIELDS.trackingUrl,
        description: "The parcel's tracking link, when the carrier is not one we know (or to use another)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const MovedAnswer = Type.Object(
  {
    subOrder: Type.Object(
      {
        id: Id,
        status: Status,
        shipment: Nullable(
          Type.Object(
            { carrier: Type.String(), trackingNumber: Nullable(Type.String()), trackingUrl: Nullable(Type.String()) },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const RefundHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'Required for a partial refund (1..100 characters of A-Z a-z 0-9 _ . : -): the same key answers the same refund. A full refund without one is keyed by the sub-order',
    }),
  ),
});

const RefundLinesInput = Type.Array(
  Type.Object({ variantId: Id, quantity: Type.Integer({ minimum: 1, maximum: 1000 }) }, { additionalProperties: false }),
  { minItems: 1, maxItems: 200 },
);

const refundFields = {
  amount: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100_000_000_00, description: 'Minor units; or give lines; neither refunds what is left' }),
  ),
  lines: Type.Optional(RefundLinesInput),
  reason: Type.Optional(Printable(500)),
};

export const RefundBody = Type.Object(refundFields, { additionalProperties: false });
export const OrderRefundBody = Type.Object({ subOrderId: Type.Optional(Id), ...refundFields }, { additionalProperties: false });

const RefundOutcomeSchema = Type.Object(
  {
    refund: RefundSchema,
    subOrder: Type.Object({ id: Id, status: Status, refunded: MoneySchema, refundable: MoneySchema }, { additionalProperties: false }),
    replayed: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const RefundAnswer = RefundOutcomeSchema;
export const OrderRefundAnswer = Type.Object({ refunds: Type.Array(RefundOutcomeSchema) }, { additionalProperties: false });

export const PackingSlipAnswer = Type.Object(
  {
    packingSlip: Type.Object(
      {
        subOrderId: Id,
        orderId: Id,
        orderReference: Type.String(),
        shopName: Type.String(),
        placedAt: DateTime,
        shipTo: ShippingAddressSchema,
        lines: Type.Array(
          Type.Object(
            {
              variantId: Id,
              title: Type.String(),
              sku: Type.String(),
              options: Type.Record(Type.String(), Type.String()),
              quantity: Type.Integer(),
            },
            { additionalProperties: false },
          ),
        ),
        shipment: Nullable(ShipmentSchema),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const OperatorOrderQuery = Type.Object(
  {
    cursor: Cursor,
    limit: Limit,
    order: Type.Optional(Type.String({ minLength: 1, maxLength: 36, description: 'An order id or its 8-character reference' })),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 254, description: "The buyer's email" })),
    shopId: Type.Optional(Id),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);

export const OperatorOrderList = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          id: Id,
          reference: Type.String(),
          customerId: Id,
          status: Status,
          total: MoneySchema,
          createdAt: DateTime,
          subOrders: Type.Array(
            Type.Object(
              { id: Id, shopId: Id, shopName: Type.String(), status: Status, refunded: MoneySchema },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    nextCursor: Nullable(Id),
  },
  { additionalProperties: false },
);

export const OperatorOrder = Type.Object(
  {
    order: Type.Object(
      {
        id: Id,
        reference: Type.String(),
        status: Status,
        total: MoneySchema,
        refunded: MoneySchema,
        customer: Type.Object({ id: Id, email: Nullable(Type.String()), name: Nullable(Type.String()) }, { additionalProperties: false }),
        shippingAddress: ShippingAddressSchema,
        paymentDeadline: DateTime,
        createdAt: DateTime,
        updatedAt: DateTime,
        subOrders: Type.Array(SubOrderDetail),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export { ErrorResponse };
