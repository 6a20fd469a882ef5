import type { ProductListRow, ProductRow } from './catalog.repository.ts';
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

export type PublicProduct = Omit<Product, 'ownerId'>;

/** What anonymous readers see: the owner's account id stays private. */
export function toPublicProduct(p: Product): PublicProduct {
  const { ownerId: _ownerId, ...rest } = p;
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

/** A shop as anonymous readers see it: the owner's account id stays private. */
export type PublicShop = Omit<Shop, 'ownerId'>;

/** A shop and its first page of published products (GET /shops/:slug). */
export type ShopPage = Readonly<{ shop: PublicShop; products: ProductPage }>;

export type CategoryNode = Category & { children: CategoryNode[] };

/** Every category, roots first, each with its children (GET /categories). */
export type CategoryTree = Readonly<{ categories: CategoryNode[] }>;
