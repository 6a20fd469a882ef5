import type { FastifyPluginAsync } from 'fastify';
import type { BackOfficeDeps } from '../../back-office/deps.ts';

/** The console's moderation and look-ups: shops, products, accounts. */
export function moderationRoutes(_deps: BackOfficeDeps): FastifyPluginAsync {
  return async () => {};
}
