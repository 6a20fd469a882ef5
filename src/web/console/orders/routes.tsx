import type { FastifyPluginAsync } from 'fastify';
import type { BackOfficeDeps } from '../../back-office/deps.ts';

/** The console's order look-ups: search, detail, refund any order. */
export function consoleOrderRoutes(_deps: BackOfficeDeps): FastifyPluginAsync {
  return async () => {};
}
