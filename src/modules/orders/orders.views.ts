import type { OrderLineRow } from './orders.repository.ts';
import type { OrderLineView } from './orders.types.ts';

/** An order line as the API shows it, to its buyer and (with refunds added) to its seller. */
export const orderLineView = (l: OrderLineRow, currency: string): OrderLineView => ({
  variantId: l.variant_id,
  productId: l.product_id,
  title: l.title,
  sku: l.sku,
  options: l.options as Record<string, string>,
  unitPrice: { amount: Number(l.unit_price), currency },
  quantity: l.quantity,
});
