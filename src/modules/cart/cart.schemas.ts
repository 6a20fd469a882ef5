import { Type, type TSchema } from '@sinclair/typebox';
import { MAX_CART_LINES, MAX_LINE_QUANTITY } from './cart.types.ts';

/** Request and response schemas of the cart routes. Bodies reject unknown fields. */

const OrNull = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const MoneySchema = Type.Object(
  { amount: Type.Integer({ minimum: 0 }), currency: Type.String({ minLength: 3, maxLength: 3 }) },
  { additionalProperties: false },
);

export const VariantParams = Type.Object({ variantId: Type.String({ format: 'uuid', maxLength: 36 }) }, { additionalProperties: false });

export const SetQuantityBody = Type.Object(
  { quantity: Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY }) },
  { additionalProperties: false },
);

const StockSchema = Type.Union([Type.Literal('in_stock'), Type.Literal('few_left'), Type.Literal('sold_out')]);

const CartLineSchema = Type.Object(
  {
    variantId: Type.String({ format: 'uuid' }),
    quantity: Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY }),
    addedAt: Type.String({ format: 'date-time' }),
    available: Type.Boolean(),
    reason: OrNull(
      Type.Union([
        Type.Literal('variant_deleted'),
        Type.Literal('variant_unpublished'),
        Type.Literal('sold_out'),
        Type.Literal('insufficient_stock'),
      ]),
    ),
    availableQuantity: OrNull(
      Type.Integer({
        minimum: 0,
        description:
          'Units on sale now when fewer than `quantity` (the line cannot be checked out as it is); null when it can be had in full',
      }),
    ),
    productId: OrNull(Type.String()),
    productTitle: OrNull(Type.String()),
    sku: OrNull(Type.String()),
    options: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
    shopName: OrNull(Type.String()),
    unitPrice: OrNull(MoneySchema),
    lineTotal: OrNull(MoneySchema),
    stock: OrNull(StockSchema),
  },
  { additionalProperties: false },
);

export const CartSchema = Type.Object(
  {
    lines: Type.Array(CartLineSchema, { maxItems: MAX_CART_LINES }),
    itemCount: Type.Integer({ minimum: 0 }),
    totals: Type.Array(MoneySchema),
    limits: Type.Object({ maxLines: Type.Integer(), maxQuantity: Type.Integer() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export { ErrorResponseSchema as ErrorResponse } from '../../platform/http/schemas.ts';

export const NoContent = Type.Null({ description: 'No content' });
