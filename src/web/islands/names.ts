/**
 * Every island a page may contain, by the name the server writes and the browser looks up
 * (client/storefront.ts maps each to its lazily loaded component; a test checks both agree).
 */
export const ISLAND_NAMES = [
  'account-summary',
  'search-suggest',
  'add-to-cart',
  'token-field',
  'order-status',
  'studio-variants',
  'studio-images',
  'studio-shop-images',
  'sales-report',
  'sales-export',
  'sales-print',
  'sales-webhooks',
  'console-now',
] as const;
export type IslandName = (typeof ISLAND_NAMES)[number];
