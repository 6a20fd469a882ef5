import type { StorefrontIslandName } from '../islands/names.ts';
import type { IslandModule } from './hydrate.ts';

/** Each storefront island's code, loaded only when a page has one (esbuild makes each its own chunk). */
export const STOREFRONT_ISLANDS: Record<StorefrontIslandName, () => Promise<IslandModule>> = {
  'account-summary': () => import('../islands/account-summary.tsx') as Promise<IslandModule>,
  'search-suggest': () => import('../islands/search-suggest.tsx') as Promise<IslandModule>,
  'add-to-cart': () => import('../islands/add-to-cart.tsx') as unknown as Promise<IslandModule>,
  'token-field': () => import('../islands/token-field.tsx') as unknown as Promise<IslandModule>,
  'order-status': () => import('../islands/order-status.tsx') as unknown as Promise<IslandModule>,
};
