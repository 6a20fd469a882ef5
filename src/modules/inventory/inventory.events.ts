/** Events the inventory publishes (inside the transaction of the change). */
export const INVENTORY_EVENTS = { stockLow: 'stock.low' } as const;
