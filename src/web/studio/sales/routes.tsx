import type { FastifyPluginAsync } from 'fastify';
import type { BackOfficeDeps } from '../../back-office/deps.ts';

/** The studio's selling side: orders, packing slips, reports, webhooks. */
export function salesRoutes(_deps: BackOfficeDeps): FastifyPluginAsync {
  return async () => {};
}
