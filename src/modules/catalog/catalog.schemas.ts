import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MAX_AMOUNT } from '../../shared/money.ts';

/**
 * Request and response schemas. Every object is closed (`additionalProperties: false`) and every
 * string, number and array is bounded, so a request a client got wrong is refused with the field.
 */
const Id = Type.String({ format: 'uuid' });
/** A shop's or category's web address as the API takes it; the studio's shop form checks the same. */
export const SLUG_RULE = { maxLength: 64, pattern: '^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$' } as const;
const Slug = Type.String({ minLength: 1, ...SLUG_RULE });
/**
 * The longest texts the catalog takes, in characters: the API's schemas and the studio's forms
 * (their checks and their inputs' maxlength) read them here, so a form never allows what the API
 * refuses, nor refuses what it allows.
 */
export const TEXT_LIMITS = {
  title: 200,
  description: 10_000,
  optionName: 40,
  optionValue: 100,
  shopName: 80,
  shopText: 10_000,
  /** An operator's reason for a suspension or an unpublish, which the seller reads. */
  reason: 1000,
} as const;
const Title = Type.String({ minLength: 1, maxLength: TEXT_LIMITS.title });
const Description = Type.String({ maxLength: TEXT_LIMITS.description });
const Price = Type.Integer({ minimum: 1, maximum: MAX_AMOUNT, description: 'Integer minor units of the shop currency' });
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
const Status = Type.Union([Type.Literal('draft'), Type.Literal('published')]);
export const ShopStatusSchema = Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('suspended')], {
  description: 'pending: waits for approval; active: selling; suspended: taken off the storefront by the operator',
});
const Sku = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });
const Options = Type.Record(
  Type.String({ minLength: 1, maxLength: TEXT_LIMITS.optionName }),
  Type.String({ maxLength: TEXT_LIMITS.optionValue }),
  {
    maxProperties: 10,
    additionalProperties: false,
    description: 'e.g. { "size": "M", "colour": "indigo" }',
  },
);
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const closed = { additionalProperties: false } as const;

export const MoneySchema = Type.Object({ amount: Type.Integer(), currency: Type.String() }, closed);
export const ImageSchema = Type.Object(
  {
    id: Type.String(),
    alt: Type.String(),
    urls: Type.Object({ thumb: Type.String(), card: Type.String(), full: Type.String() }, closed),
  },
  closed,
);
export const VariantSchema = Type.Object(
  { id: Id, sku: Type.String(), options: Type.Record(Type.String(), Type.String()), price: MoneySchema, position: Type.Integer() },
  closed,
);
const productFields = {
  id: Id,
  shopId: Id,
  shopSlug: Type.String(),
  shopName: Type.String(),
  title: Type.String(),
  description: Type.String(),
  categoryId: Nullable(Id),
  categoryName: Nullable(Type.String()),
  status: Status,
  priceMin: MoneySchema,
  images: Type.Array(ImageSchema),
  variants: Type.Array(VariantSchema),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};
/** A product as its owner sees it: with the operator's note while it holds the product unpublished, and the shop's status. */
export const ProductSchema = Type.Object(
  { ...productFields, ownerId: Id, moderationNote: Nullable(Type.String()), shopStatus: ShopStatusSchema },
  closed,
);
/** A published product as anyone sees it. */
export const PublicProductSchema = Type.Object(productFields, closed);
export const ProductSummarySchema = Type.Object(
  {
    id: Id,
    title: Type.String(),
    shopSlug: Type.String(),
    shopName: Type.String(),
    categoryId: Nullable(Id),
    priceMin: MoneySchema,
    image: Nullable(Type.Object({ alt: Type.String(), thumb: Type.String(), card: Type.String() }, closed)),
    createdAt: Timestamp,
  },
  closed,
);
export const ProductPageSchema = Type.Object({ items: Type.Array(ProductSummarySchema), nextCursor: Nullable(Type.String()) }, closed);
const shopFields = {
  id: Id,
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  currency: Type.String(),
  createdAt: Timestamp,
  story: Type.String(),
  shippingPolicy: Type.String(),
  returnsPolicy: Type.String(),
  logo: Nullable(ImageSchema),
  banner: Nullable(ImageSchema),
};
/** A shop as its owner and the operator see it: where it stands, and the operator's reason. */
export const ShopSchema = Type.Object(
  {
    ...shopFields,
    ownerId: Id,
    status: ShopStatusSchema,
    statusReason: Nullable(Type.String()),
    statusChangedAt: Nullable(Timestamp),
  },
  closed,
);
export const ShopPageSchema = Type.Object({ shop: Type.Object(shopFields, closed), products: ProductPageSchema }, closed);
export const CategorySchema = Type.Object({ id: Id, slug: Type.String(), name: Type.String(), parentId: Nullable(Id) }, closed);
const CategoryNode = Type.Recursive((This) =>
  Type.Object({ id: Id, slug: Type.String(), name: Type.String(), parentId: Nullable(Id), children: Type.Array(This) }, closed),
);
export const CategoryTreeSchema = Type.Object({ categories: Type.Array(CategoryNode) }, closed);
export { ErrorResponseSchema as ErrorSchema } from '../../platform/http/schemas.ts';

// ---- requests

export const CreateCategoryBody = Type.Object(
  { slug: Slug, name: Type.String({ minLength: 1, maxLength: 80 }), parentId: Type.Optional(Nullable(Id)) },
  closed,
);
const Policy = Type.String({ maxLength: TEXT_LIMITS.shopText });
const shopText = {
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  story: Type.Optional(Type.String({ maxLength: TEXT_LIMITS.shopText, description: "The maker's story, shown on the shop's page" })),
  shippingPolicy: Type.Optional(Policy),
  returnsPolicy: Type.Optional(Policy),
};
export const CreateShopBody = Type.Object(
  { slug: Slug, name: Type.String({ minLength: 1, maxLength: TEXT_LIMITS.shopName }), currency: Type.Optional(Currency), ...shopText },
  closed,
);
export const UpdateShopBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: TEXT_LIMITS.shopName })), ...shopText },
  { ...closed, minProperties: 1 },
);
export const NewVariantBody = Type.Object({ sku: Type.Optional(Sku), options: Options, price: Price }, closed);
export const CreateProductBody = Type.Object(
  {
    title: Title,
    description: Description,
    categoryId: Type.Optional(Nullable(Id)),
    status: Type.Optional(Status),
    variants: Type.Array(NewVariantBody, { minItems: 1, maxItems: 50 }),
  },
  closed,
);
export const UpdateProductBody = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    categoryId: Type.Optional(Nullable(Id)),
    status: Type.Optional(Status),
  },
  { ...closed, minProperties: 1 },
);
export const UpdateVariantBody = Type.Object(
  {
    sku: Type.Optional(Sku),
    options: Type.Optional(Options),
    price: Type.Optional(Price),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  },
  { ...closed, minProperties: 1 },
);
const Cursor = Type.String({ minLength: 1, maxLength: 512 });
const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 24 });
export const ListQuerystring = Type.Object(
  {
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Category slug or id; includes subcategories' })),
    shop: Type.Optional(Slug),
    minPrice: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_AMOUNT, description: 'Minor units of the platform currency' })),
    maxPrice: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_AMOUNT, description: 'Minor units of the platform currency' })),
    sort: Type.Union([Type.Literal('newest'), Type.Literal('price_asc'), Type.Literal('price_desc')], { default: 'newest' }),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  closed,
);
export const SellerListQuerystring = Type.Object(
  {
    limit: Limit,
    cursor: Type.Optional(Cursor),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Words of the title' })),
    status: Type.Optional(
      Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('unpublished')], {
        description: 'unpublished: held unpublished by the operator (see moderationNote)',
      }),
    ),
  },
  closed,
);

// ---- the operator's

export const ShopListQuerystring = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: 'Part of the name, or the start of the slug' })),
    status: Type.Optional(ShopStatusSchema),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  closed,
);
export const ShopListSchema = Type.Object({ items: Type.Array(ShopSchema), nextCursor: Nullable(Type.String()) }, closed);
export const ShopDetailSchema = Type.Object(
  {
    shop: ShopSchema,
    products: Type.Object({ published: Type.Integer(), draft: Type.Integer(), held: Type.Integer() }, closed),
  },
  closed,
);
export const ReasonBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: TEXT_LIMITS.reason, description: 'Why: the seller reads it' }) },
  closed,
);
export const SellerProductPageSchema = Type.Object({ items: Type.Array(ProductSchema), nextCursor: Nullable(Type.String()) }, closed);
export const IdParams = Type.Object({ id: Id }, closed);
export const VariantParams = Type.Object({ id: Id, variantId: Id }, closed);
export const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 64 }) }, closed);

export type CreateProductBodyT = Static<typeof CreateProductBody>;
