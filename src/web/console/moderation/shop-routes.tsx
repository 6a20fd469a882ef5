import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveSession } from '../../../modules/identity/index.ts';
import type { Shop, ShopStatus } from '../../../modules/catalog/index.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { officePage, pageActor } from '../../back-office/guard.tsx';
import { formField, queryField } from '../../forms.ts';
import { seeOther } from '../../html.ts';
import { sendNotFoundPage } from '../../storefront/errors.tsx';
import { doneNotice, SHOP_STATUSES, ShopPage, ShopsPage, type ShopAnswer, type ShopFilters } from './shop-pages.tsx';
import { conflictOf, frameOf, PAGE_SIZE, reasonRefused, sendConsolePage } from './shared.tsx';

type ById = { Params: { id: string } };
type Move = 'approve' | 'suspend' | 'reinstate';
const DONE_OF: Readonly<Record<Move, string>> = { approve: 'approved', suspend: 'suspended', reinstate: 'reinstated' };

function shopFilters(request: FastifyRequest): ShopFilters {
  const status = queryField(request, 'status');
  return {
    q: queryField(request, 'q').trim().slice(0, 200),
    status: (SHOP_STATUSES as readonly string[]).includes(status) ? (status as ShopStatus) : '',
  };
}

/** The shop's page as it stands now, with what the last move answered (status 400/409 for a refused one). */
async function sendShop(
  deps: BackOfficeDeps,
  session: LiveSession,
  request: FastifyRequest<ById>,
  reply: FastifyReply,
  answer: ShopAnswer,
  status = 200,
): Promise<FastifyReply> {
  const detail = await deps.catalog.moderation.shopDetail(request.params.id);
  if (!detail) return sendNotFoundPage(deps.site, request, reply);
  const owner = await deps.identity.service.accountDetail(detail.shop.ownerId);
  const frame = { ...frameOf(deps, session, request), path: `/console/shops/${detail.shop.id}` };
  return sendConsolePage(request, reply, <ShopPage frame={frame} detail={detail} owner={owner} answer={answer} />, status);
}

/** Runs one operator's move; a move another operator already made, or a blank reason, is shown on the page. */
async function moveShop(deps: BackOfficeDeps, session: LiveSession, request: FastifyRequest<ById>, reply: FastifyReply, move: Move) {
  const { moderation } = deps.catalog;
  const actor = pageActor(session, request);
  const id = request.params.id;
  const reason = formField(request, 'reason');
  const moves: Readonly<Record<Move, () => Promise<Shop>>> = {
    approve: () => moderation.approveShop(actor, id),
    suspend: () => moderation.suspendShop(actor, id, reason),
    reinstate: () => moderation.reinstateShop(actor, id),
  };
  try {
    await moves[move]();
  } catch (err) {
    if (reasonRefused(err)) {
      const errors = [{ field: 'reason', message: 'Enter the reason: the seller reads it in the studio' }];
      return sendShop(deps, session, request, reply, { errors, reason }, 400);
    }
    const conflict = conflictOf(err);
    if (conflict) return sendShop(deps, session, request, reply, { conflict }, 409);
    throw err;
  }
  return seeOther(reply, `/console/shops/${id}?done=${DONE_OF[move]}`);
}

/** `/console/shops` and `/console/shops/<id>` with its moves. */
export function shopRoutes(deps: BackOfficeDeps): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/console/shops',
      { schema: { hide: true } },
      officePage(deps, 'console', async (session, request, reply) => {
        const filters = shopFilters(request);
        const cursor = queryField(request, 'cursor');
        const page = await deps.catalog.moderation.listShops({
          limit: PAGE_SIZE,
          ...(filters.q ? { q: filters.q } : {}),
          ...(filters.status ? { status: filters.status } : {}),
          ...(cursor ? { cursor } : {}),
        });
        const frame = frameOf(deps, session, request);
        return sendConsolePage(
          request,
          reply,
          <ShopsPage frame={frame} filters={filters} shops={page.items} nextCursor={page.nextCursor} first={!cursor} />,
        );
      }),
    );

    app.get<ById>(
      '/console/shops/:id',
      { schema: { hide: true } },
      officePage<ById>(deps, 'console', (session, request, reply) => {
        const notice = doneNotice(queryField(request, 'done'));
        return sendShop(deps, session, request, reply, notice ? { notice } : {});
      }),
    );

    for (const move of ['approve', 'suspend', 'reinstate'] as const) {
      app.post<ById>(
        `/console/shops/:id/${move}`,
        { schema: { hide: true } },
        officePage<ById>(deps, 'console', (session, request, reply) => moveShop(deps, session, request, reply, move)),
      );
    }
  };
}
