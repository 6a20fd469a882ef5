import type { ProductListRow, ProductRow, ShopRow } from './catalog.repository.ts';
import type { Category, Product, Shop } from './index.ts';

/** Row -> public shapes. Kept apart from the service so the JSON a client sees is easy to review. */
export function toProduct(r: ProductRow): Product {
  return {
    id: r.id,
    shopId: r.shop_id,
    shopSlug: r.shop_slug,
    shopName: r.shop_name,
    ownerId: r.owner_id,
    title: r.title,
    description: r.description,
    categoryId: r.category_id,
    categoryName: r.category_name,
    status: r.status,
    moderationNote: r.moderation_note,
    shopStatus: r.shop_status,
    priceMin: { amount: r.price_min, currency: r.currency },
    images: r.images,
    variants: r.variants.map((v) => ({
      id: v.id,
      sku: v.sku,
      options: v.options,
      price: { amount: v.price, currency: r.currency },
      position: v.position,
    })),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export type PublicProduct = Omit<Product, 'ownerId' | 'moderationNote' | 'shopStatus'>;

/** What anonymous readers see: the owner's account id and the operator's notes stay private. */
export function toPublicProduct(p: Product): PublicProduct {
  const { ownerId: _ownerId, moderationNote: _note, shopStatus: _shopStatus, ...rest } = p;
  return rest;
}

/** What a product card needs of the first image: no original, no image id (lists are sent often and whole). */
export type CardImage = Readonly<{ alt: string; thumb: string; card: string }>;

export type ProductSummary = Readonly<{
  id: string;
  title: string;
  shopSlug: string;
  shopName: string;
  categoryId: string | null;
  priceMin: { amount: number; currency: string };
  image: CardImage | null;
  createdAt: string;
}>;

export function toSummary(r: ProductListRow): ProductSummary {
  return {
    id: r.id,
    title: r.title,
    shopSlug: r.shop_slug,
    shopName: r.shop_name,
    categoryId: r.category_id,
    priceMin: { amount: r.price_min, currency: r.currency },
    image: r.image ? { alt: r.image.alt, thumb: r.image.urls.thumb, card: r.image.urls.card } : null,
    createdAt: r.created_at.toISOString(),
  };
}

/** A keyset page: `nextCursor` continues it, null on the last page. */
export type Page<T> = Readonly<{ items: T[]; nextCursor: string | null }>;

/** A page of a product list (GET /products). */
export type ProductPage = Page<ProductSummary>;

/** A shop as its owner and the operator see it. */
export function toShop(r: ShopRow): Shop {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    description: r.description,
    ownerId: r.owner_id,
    currency: r.currency.trim(),
    createdAt: r.created_at.toISOString(),
    story: r.story,
    shippingPolicy: r.shipping_policy,
    returnsPolicy: r.returns_policy,
    status: r.status,
    statusReason: r.status_reason,
    statusChangedAt: r.status_changed_at?.toISOString() ?? null,
    logo: r.logo,
    banner: r.banner,
  };
}

/** A shop as anonymous readers see it (only active shops are shown): the owner and the operator's decisions stay private. */
export type PublicShop = Omit<Shop, 'ownerId' | 'status' | 'statusReason' | 'statusChangedAt'>;

export function toPublicShop(shop: Shop): PublicShop {
  const { ownerId: _ownerId, status: _status, statusReason: _reason, statusChangedAt: _changed, ...rest } = shop;
  return rest;
}

/** A shop and its first page of published products (GET /shops/:slug). */
export type ShopPage = Readonly<{ shop: PublicShop; products: ProductPage }>;

export type CategoryNode = Category & { children: CategoryNode[] };

/** Every category, roots first, each with its children (GET /categories). */
export type CategoryTree = Readonly<{ categories: CategoryNode[] }>;
