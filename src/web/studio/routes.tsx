import type { FastifyPluginAsync } from 'fastify';
import type { BackOfficeDeps } from '../back-office/deps.ts';
import { listingRoutes } from './listing/routes.tsx';
import { salesRoutes } from './sales/routes.tsx';

/**
 * The seller studio: the shop and what it lists (listing/: onboarding, overview, shop, products,
 * stock) and what it sells (sales/: orders, packing slips, reports, webhooks).
 */
export function studioRoutes(deps: BackOfficeDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(listingRoutes(deps));
    await app.register(salesRoutes(deps));
  };
}
