import type { ProductListRow, ProductRow } from './catalog.repository.ts';
import type { Product } from './index.ts';

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
