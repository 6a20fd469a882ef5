import type { FastifyPluginAsync } from 'fastify';
import type { BackOfficeDeps } from '../back-office/deps.ts';
import { moderationRoutes } from './moderation/routes.tsx';
import { opsRoutes } from './ops/routes.tsx';
import { consoleOrderRoutes } from './orders/routes.tsx';

/**
 * The operator console: how the marketplace runs (ops/: Now, jobs, data, the audit log), who sells
 * on it (moderation/: shops, products, accounts) and its orders (orders/: look-ups and refunds).
 */
export function consoleRoutes(deps: BackOfficeDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(opsRoutes(deps));
    await app.register(moderationRoutes(deps));
    await app.register(consoleOrderRoutes(deps));
  };
}
