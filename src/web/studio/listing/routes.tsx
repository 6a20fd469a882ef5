import type { FastifyPluginAsync } from 'fastify';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { editorRoutes } from './editor.tsx';
import { overviewRoutes } from './overview.tsx';
import { productsRoutes } from './products.tsx';
import { shopRoutes } from './shop.tsx';
import { startRoutes } from './start.tsx';
import { stockRoutes } from './stock.tsx';

/** The studio's shop side: onboarding (/studio/start), overview, shop, products and their editor, stock. */
export function listingRoutes(deps: BackOfficeDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(startRoutes(deps));
    await app.register(overviewRoutes(deps));
    await app.register(shopRoutes(deps));
    await app.register(productsRoutes(deps));
    await app.register(editorRoutes(deps));
    await app.register(stockRoutes(deps));
  };
}
