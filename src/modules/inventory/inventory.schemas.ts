import { Type } from '@sinclair/typebox';
import { MAX_ON_HAND, MAX_RESTOCK } from './inventory.service.ts';

/** Request and response schemas: every object closed, every number bounded. */
const Id = Type.String({ format: 'uuid' });
const closed = { additionalProperties: false } as const;
const Count = Type.Integer({ minimum: 0 });
const Status = Type.Union([Type.Literal('in_stock'), Type.Literal('few_left'), Type.Literal('sold_out')], {
  description: 'Coarse on purpose: exact counts are for the owner only',
});

export const ProductParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, closed);
export const VariantParams = Type.Object({ variantId: Id }, closed);
export const SellerInventoryQuery = Type.Object({ productId: Id }, closed);

export const RestockBody = Type.Object({ quantity: Type.Integer({ minimum: 1, maximum: MAX_RESTOCK }) }, closed);
export const SetOnHandBody = Type.Object({ onHand: Type.Integer({ minimum: 0, maximum: MAX_ON_HAND }) }, closed);

export const PublicStockSchema = Type.Object(
  { productId: Id, variants: Type.Array(Type.Object({ variantId: Id, status: Status }, closed)) },
  closed,
);

const levelFields = { variantId: Id, onHand: Count, reserved: Count, sold: Count, available: Count };
export const StockLevelSchema = Type.Object(levelFields, closed);
export const SellerInventorySchema = Type.Object(
  {
    productId: Id,
    variants: Type.Array(
      Type.Object({ ...levelFields, sku: Type.String(), options: Type.Record(Type.String(), Type.String()), status: Status }, closed),
    ),
  },
  closed,
);

export { ErrorResponseSchema as ErrorSchema } from '../../platform/http/schemas.ts';
