/**
 * Every island a page may contain, by the name the server writes and the browser looks up. The
 * storefront's and the back office's (studio, console) are two lists, loaded by two scripts
 * (client/storefront.ts, client/office.ts), so a shopper's page never downloads the studio's
 * editors or the console's chart library; a test checks each list matches its loaders.
 */
export const STOREFRONT_ISLAND_NAMES = ['account-summary', 'search-suggest', 'add-to-cart', 'token-field', 'order-status'] as const;
export const OFFICE_ISLAND_NAMES = [
  'studio-variants',
  'studio-images',
  'studio-shop-images',
  'sales-report',
  'sales-export',
  'sales-print',
  'sales-webhooks',
  'console-now',
] as const;
export const ISLAND_NAMES = [...STOREFRONT_ISLAND_NAMES, ...OFFICE_ISLAND_NAMES] as const;
export type StorefrontIslandName = (typeof STOREFRONT_ISLAND_NAMES)[number];
export type OfficeIslandName = (typeof OFFICE_ISLAND_NAMES)[number];
export type IslandName = StorefrontIslandName | OfficeIslandName;
