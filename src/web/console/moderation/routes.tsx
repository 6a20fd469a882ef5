import type { FastifyPluginAsync } from 'fastify';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { accountRoutes } from './account-routes.tsx';
import { productRoutes } from './product-routes.tsx';
import { shopRoutes } from './shop-routes.tsx';

/**
 * The console's moderation and look-ups: shops (approve, suspend, reinstate), products (unpublish
 * with a reason, release), accounts. Plain forms that post and redirect, calling the catalog's and
 * identity's functions (the admin API's own); a refused move is shown on the page, never a 500.
 */
export function moderationRoutes(deps: BackOfficeDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(shopRoutes(deps));
    await app.register(productRoutes(deps));
    await app.register(accountRoutes(deps));
  };
}
