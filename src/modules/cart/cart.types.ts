import type { Money } from '../../shared/money.ts';
import type { StockStatus } from '../inventory/index.ts';

export type CartLine = Readonly<{ variantId: string; quantity: number }>;

export const MAX_CART_LINES = 50;
export const MAX_LINE_QUANTITY = 50;

/** Whose cart: an account's, or a guest's (cookie). Kept apart so a guest id can never name an account's cart. */
export type CartOwner = Readonly<{ id: string; kind: 'account' | 'guest' }>;

/** Why a line cannot be bought as it is: `insufficient_stock` when fewer units are on sale than it asks for. */
export type UnavailableReason = 'variant_deleted' | 'variant_unpublished' | 'sold_out' | 'insufficient_stock';

/**
 * A line as the shopper sees it: current catalog price and title, coarse stock, and whether it can
 * be bought as it is (`available`; else `reason` says why).
 */
export type CartLineView = Readonly<{
  variantId: string;
  quantity: number;
  addedAt: string;
  available: boolean;
  reason: UnavailableReason | null;
  /**
   * Units on sale now, when fewer than `quantity` (0 when sold out): the line cannot be checked
   * out as it is, and this is what it can be set to. Null when the line can be had in full, or its
   * stock cannot be read right now. A reading, not a hold: only checkout reserves.
   */
  availableQuantity: number | null;
  productId: string | null;
  productTitle: string | null;
  sku: string | null;
  options: Readonly<Record<string, string>> | null;
  shopName: string | null;
  unitPrice: Money | null;
  lineTotal: Money | null;
  /** Null when the stock could not be read right now (the cart still shows). */
  stock: StockStatus | null;
}>;

export type CartView = Readonly<{
  lines: ReadonlyArray<CartLineView>;
  /** Units over available lines. */
  itemCount: number;
  /** One subtotal per currency, over available lines only. */
  totals: ReadonlyArray<Money>;
  limits: Readonly<{ maxLines: number; maxQuantity: number }>;
}>;

/** The cart of a visitor who has none yet. */
export const EMPTY_CART: CartView = {
  lines: [],
  itemCount: 0,
  totals: [],
  limits: { maxLines: MAX_CART_LINES, maxQuantity: MAX_LINE_QUANTITY },
};
