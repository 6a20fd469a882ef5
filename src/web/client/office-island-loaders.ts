import type { OfficeIslandName } from '../islands/names.ts';
import type { IslandModule } from './hydrate.ts';

/** Each studio and console island's code, loaded only when a page has one (client/office.ts). */
export const OFFICE_ISLANDS: Record<OfficeIslandName, () => Promise<IslandModule>> = {
  'studio-variants': () => import('../islands/studio-variants.tsx') as unknown as Promise<IslandModule>,
  'studio-images': () => import('../islands/studio-images.tsx') as unknown as Promise<IslandModule>,
  'studio-shop-images': () => import('../islands/studio-shop-images.tsx') as unknown as Promise<IslandModule>,
  'sales-report': () => import('../islands/sales-report.tsx') as unknown as Promise<IslandModule>,
  'sales-export': () => import('../islands/sales-export.tsx') as unknown as Promise<IslandModule>,
  'sales-print': () => import('../islands/sales-print.tsx') as unknown as Promise<IslandModule>,
  'sales-webhooks': () => import('../islands/sales-webhooks.tsx') as unknown as Promise<IslandModule>,
  'console-now': () => import('../islands/console-now.tsx') as unknown as Promise<IslandModule>,
};
