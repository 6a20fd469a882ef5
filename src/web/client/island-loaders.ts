import type { ComponentType } from 'preact';
import type { IslandName } from '../islands/names.ts';

export type IslandModule = { default: ComponentType<Record<string, unknown>> };

/** Each island's code, loaded only when a page has one (esbuild makes each its own chunk). */
export const ISLANDS: Record<IslandName, () => Promise<IslandModule>> = {
  'account-summary': () => import('../islands/account-summary.tsx') as Promise<IslandModule>,
  'search-suggest': () => import('../islands/search-suggest.tsx') as Promise<IslandModule>,
  'add-to-cart': () => import('../islands/add-to-cart.tsx') as unknown as Promise<IslandModule>,
  'token-field': () => import('../islands/token-field.tsx') as unknown as Promise<IslandModule>,
  'order-status': () => import('../islands/order-status.tsx') as unknown as Promise<IslandModule>,
  'studio-variants': () => import('../islands/studio-variants.tsx') as unknown as Promise<IslandModule>,
  'studio-images': () => import('../islands/studio-images.tsx') as unknown as Promise<IslandModule>,
  'studio-shop-images': () => import('../islands/studio-shop-images.tsx') as unknown as Promise<IslandModule>,
  'sales-report': () => import('../islands/sales-report.tsx') as unknown as Promise<IslandModule>,
  'sales-export': () => import('../islands/sales-export.tsx') as unknown as Promise<IslandModule>,
  'sales-print': () => import('../islands/sales-print.tsx') as unknown as Promise<IslandModule>,
  'sales-webhooks': () => import('../islands/sales-webhooks.tsx') as unknown as Promise<IslandModule>,
  'console-now': () => import('../islands/console-now.tsx') as unknown as Promise<IslandModule>,
};
