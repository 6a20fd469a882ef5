/**
 * Events the catalog publishes (through the event bus, inside the transaction of the change):
 * `product.changed` { productId, shopId } on create, edit, publish, variant or image change;
 * `shop.changed` { shopId } on a shop edit.
 */
export const CATALOG_EVENTS = { productChanged: 'product.changed', shopChanged: 'shop.changed' } as const;

export type ProductChangedPayload = Readonly<{ productId: string; shopId: string }>;
export type ShopChangedPayload = Readonly<{ shopId: string }>;
