import { Type } from '@sinclair/typebox';
import { MAX_CART_LINES, MAX_LINE_QUANTITY } from '../cart/index.ts';
import { ORDER_STATUSES } from './orders.state.ts';

export const Id = Type.String({ format: 'uuid', maxLength: 36 });
export const Status = Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s)));
export const MoneySchema = Type.Object(
  { amount: Type.Integer({ minimum: 0 }), currency: Type.String({ pattern: '^[A-Z]{3}$', maxLength: 3 }) },
  { additionalProperties: false },
);

export { ErrorResponseSchema as ErrorResponse } from '../../platform/http/schemas.ts';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const ShippingAddressSchema = Type.Object(
  {
    name: Text(200),
    line1: Text(200),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Text(100),
    postalCode: Text(20),
    country: Type.String({ pattern: '^[A-Z]{2}$', minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2' }),
  },
  { additionalProperties: false },
);

export const CheckoutBody = Type.Object(
  {
    lines: Type.Optional(
      Type.Array(
        Type.Object(
          {
            variantId: Id,
            quantity: Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY }),
            price: Type.Optional(Type.Unknown({ description: 'Ignored: prices come from the catalog' })),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: MAX_CART_LINES, description: "Without lines, the customer's cart is checked out" },
      ),
    ),
    shippingAddress: ShippingAddressSchema,
    total: Type.Optional(Type.Unknown({ description: 'Ignored: the total is computed on the server' })),
  },
  { additionalProperties: false },
);

export const CheckoutHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'Required: 1..100 characters of A-Z a-z 0-9 _ . : -; the same key replays the first answer',
    }),
  ),
});

export const CheckoutAccepted = Type.Object(
  {
    order: Type.Object({ id: Id, status: Status, total: MoneySchema }, { additionalProperties: false }),
    statusUrl: Type.String({ maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const OrderParams = Type.Object({ id: Id }, { additionalProperties: false });

export const PageQuery = Type.Object(
  { cursor: Type.Optional(Type.String({ maxLength: 36 })), limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) },
  { additionalProperties: false },
);

export const LineSchema = Type.Object(
  {
    variantId: Id,
    productId: Id,
    title: Type.String({ maxLength: 500 }),
    sku: Type.String({ maxLength: 200 }),
    options: Type.Record(Type.String(), Type.String()),
    unitPrice: MoneySchema,
    quantity: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

const AddressOut = ShippingAddressSchema;

export const OrderDetail = Type.Object(
  {
    order: Type.Object(
      {
        id: Id,
        status: Status,
        total: MoneySchema,
        shippingAddress: AddressOut,
        paymentDeadline: Type.String({ format: 'date-time' }),
        createdAt: Type.String({ format: 'date-time' }),
        updatedAt: Type.String({ format: 'date-time' }),
        subOrders: Type.Array(
          Type.Object(
            {
              id: Id,
              shopId: Id,
              shopName: Type.String({ maxLength: 500 }),
              status: Status,
              total: MoneySchema,
              lines: Type.Array(LineSchema),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const OrderList = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        { id: Id, status: Status, total: MoneySchema, createdAt: Type.String({ format: 'date-time' }) },
        { additionalProperties: false },
      ),
    ),
    nextCursor: Type.Union([Id, Type.Null()]),
  },
  { additionalProperties: false },
);

export const StatusAnswer = Type.Object(
  { order: Type.Object({ id: Id, status: Status }, { additionalProperties: false }) },
  { additionalProperties: false },
);
