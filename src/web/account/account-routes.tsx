import { isId } from '../../shared/ids.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveSession } from '../../modules/identity/index.ts';
import { isDomainError } from '../../shared/errors.ts';
import { queryField } from '../forms.ts';
import { seeOther, sendPrivatePage } from '../html.ts';
import type { StorefrontDeps } from '../storefront/site.ts';
import { AccountPage, OrderPage, OrdersPage, SessionsPage } from './account-pages.tsx';

const ORDERS_PER_PAGE = 10;

/**
 * The session a personal page needs; without one, the browser is sent to sign in and brought back
 * (`/sign-in?next=<this page>`), and null is returned.
 */
export async function signedInOrRedirect(deps: StorefrontDeps, request: FastifyRequest, reply: FastifyReply): Promise<LiveSession | null> {
  const session = await deps.identity.pages.current(request);
  if (!session) void seeOther(reply, `/sign-in?next=${encodeURIComponent(request.method === 'GET' ? request.url : '/account')}`);
  return session;
}

/** The customer's own pages: account, orders, one order, sessions. All private (no-store). */
export function accountRoutes(deps: StorefrontDeps) {
  const { site, orders, identity } = deps;
  return async (app: FastifyInstance) => {
    app.get('/account', { schema: { hide: true } }, async (request, reply) => {
      const session = await signedInOrRedirect(deps, request, reply);
      if (!session) return reply;
      return sendPrivatePage(request, reply, <AccountPage site={site} account={session.account} />);
    });

    app.get('/account/orders', { schema: { hide: true } }, async (request, reply) => {
      const session = await signedInOrRedirect(deps, request, reply);
      if (!session) return reply;
      const cursor = queryField(request, 'cursor');
      if (cursor && !isId(cursor)) return seeOther(reply, '/account/orders');
      const page = await orders.service.listOrders(session.account.id, cursor || null, ORDERS_PER_PAGE);
      return sendPrivatePage(request, reply, <OrdersPage site={site} orders={page.items} nextCursor={page.nextCursor} first={!cursor} />);
    });

    app.get<{ Params: { id: string } }>('/account/orders/:id', { schema: { hide: true } }, async (request, reply) => {
      const session = await signedInOrRedirect(deps, request, reply);
      if (!session) return reply;
      // Another customer's order, or a malformed id, is not found (the pages' error handler shows the 404 page).
      const order = await orders.service.getOrder(session.account.id, request.params.id);
      return sendPrivatePage(request, reply, <OrderPage site={site} order={order} placed={queryField(request, 'placed') === '1'} />);
    });

    app.get('/account/sessions', { schema: { hide: true } }, async (request, reply) => {
      const session = await signedInOrRedirect(deps, request, reply);
      if (!session) return reply;
      const notice = queryField(request, 'done') === '1' ? 'Done: that session is signed out.' : undefined;
      const sessions = await identity.pages.sessions(session);
      return sendPrivatePage(request, reply, <SessionsPage site={site} session={session} sessions={sessions} notice={notice} />);
    });

    app.post<{ Params: { id: string } }>('/account/sessions/:id/sign-out', { schema: { hide: true } }, async (request, reply) => {
      const session = await signedInOrRedirect(deps, request, reply);
      if (!session) return reply;
      try {
        await identity.pages.revokeSession(reply, session, request.params.id);
      } catch (err) {
        // Already signed out (another tab): the page simply shows what is left.
        if (!(isDomainError(err) && err.kind === 'not_found')) throw err;
      }
      return seeOther(reply, request.params.id === session.sessionId ? '/' : '/account/sessions?done=1');
    });

    app.post('/account/sessions/sign-out-others', { schema: { hide: true } }, async (request, reply) => {
      const session = await signedInOrRedirect(deps, request, reply);
      if (!session) return reply;
      await identity.pages.revokeOtherSessions(session);
      return seeOther(reply, '/account/sessions?done=1');
    });
  };
}
