import type { Product, SellerProductQuery } from '../../../modules/catalog/index.ts';
import { statusOf, type StockLevel, type StockStatus } from '../../../modules/inventory/index.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';

/** The most products the stock page and the overview's low-stock count read (a page of the API is at most 100). */
const PAGE = 100;
export const MAX_LISTED = 500;

/** The seller's products (newest first), every page up to MAX_LISTED. */
export async function allProducts(deps: BackOfficeDeps, accountId: string, query: SellerProductQuery = {}): Promise<Product[]> {
  const out: Product[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.catalog.service.sellerProducts(accountId, cursor, PAGE, query);
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < MAX_LISTED);
  return out;
}

export type VariantStock = Readonly<{ level: StockLevel; status: StockStatus }>;

/** Exact stock of every variant of `products`, in one read. */
export async function stockOf(deps: BackOfficeDeps, products: readonly Product[]): Promise<Map<string, VariantStock>> {
  const ids = products.flatMap((p) => p.variants.map((v) => v.id));
  const levels = ids.length > 0 ? await deps.inventory.service.levels(ids) : [];
  return new Map(levels.map((l) => [l.variantId, { level: l, status: statusOf(l.available) }]));
}

/** Low stock: few left or none (the storefront's own thresholds). */
export const isLow = (s: VariantStock | undefined) => !s || s.status !== 'in_stock';
