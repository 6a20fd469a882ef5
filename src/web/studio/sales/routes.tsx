import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveSession } from '../../../modules/identity/index.ts';
import type { SellerOrderFilter, SellerSubOrderView } from '../../../modules/orders/index.ts';
import { isId } from '../../../shared/ids.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { officePage, pageActor, whoOf } from '../../back-office/guard.tsx';
import { NO_ERRORS, readRefundForm, refundRefusal, type RefundFormState } from '../../back-office/refund-form.tsx';
import { queryField } from '../../forms.ts';
import { seeOther, sendPrivatePage } from '../../html.ts';
import { DONE_NOTICES, moveRefusal, readMoveForm } from './order-forms.ts';
import { FILTER_STATUSES, OrderDetailPage, OrdersListPage, PackingSlipPage, type DetailState, type OrdersFilter } from './order-pages.tsx';
import { ReportsPage, WebhooksPage } from './tool-pages.tsx';

const ORDERS_PER_PAGE = 20;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
type ById = { Params: { id: string } };

/** The list's filters from the query string; anything malformed is dropped, not an error. */
function filterOf(request: FastifyRequest): { shown: OrdersFilter; filter: SellerOrderFilter } {
  const status = queryField(request, 'status');
  const from = queryField(request, 'from');
  const before = queryField(request, 'before');
  const shown = {
    status: (FILTER_STATUSES as readonly string[]).includes(status) ? status : '',
    from: DATE.test(from) && !Number.isNaN(Date.parse(from)) ? from : '',
    before: DATE.test(before) && !Number.isNaN(Date.parse(before)) ? before : '',
  };
  const filter: SellerOrderFilter = {
    ...(shown.status ? { status: shown.status as SellerOrderFilter['status'] & string } : {}),
    ...(shown.from ? { placedFrom: `${shown.from}T00:00:00Z` } : {}),
    ...(shown.before ? { placedBefore: `${shown.before}T00:00:00Z` } : {}),
  };
  return { shown, filter };
}

/** The studio's selling side: orders, packing slips, reports, webhooks. */
export function salesRoutes(deps: BackOfficeDeps) {
  const { site } = deps;
  const orders = deps.orders.service;

  const detail = async (
    session: LiveSession,
    request: FastifyRequest,
    reply: FastifyReply,
    sub: SellerSubOrderView,
    state: DetailState,
    status = 200,
  ) => {
    const notice = DONE_NOTICES[queryField(request, 'done')];
    return sendPrivatePage(
      request,
      reply,
      <OrderDetailPage site={site} who={whoOf(session)} sub={sub} state={state} notice={status === 200 ? notice : undefined} />,
      status,
    );
  };
  const emptyShip = { errors: [], values: {} };

  return async (app: FastifyInstance) => {
    app.get(
      '/studio/orders',
      { schema: { hide: true } },
      officePage(deps, 'studio', async (session, request, reply) => {
        const { shown, filter } = filterOf(request);
        const cursor = queryField(request, 'cursor');
        const page = await orders.listSellerOrders(session.account.id, isId(cursor) ? cursor : null, ORDERS_PER_PAGE, filter);
        return sendPrivatePage(
          request,
          reply,
          <OrdersListPage
            site={site}
            who={whoOf(session)}
            filter={shown}
            orders={page.items}
            nextCursor={page.nextCursor}
            first={!isId(cursor)}
          />,
        );
      }),
    );

    app.get<ById>(
      '/studio/orders/:id',
      { schema: { hide: true } },
      officePage<ById>(deps, 'studio', async (session, request, reply) => {
        // Another shop's sub-order (or a malformed id) is not found: the page error handler's 404.
        const sub = await orders.getSellerSubOrder(session.account.id, request.params.id);
        return detail(session, request, reply, sub, { ship: emptyShip, refund: NO_ERRORS });
      }),
    );

    app.post<ById>(
      '/studio/orders/:id/advance',
      { schema: { hide: true } },
      officePage<ById>(deps, 'studio', async (session, request, reply) => {
        const sub = await orders.getSellerSubOrder(session.account.id, request.params.id);
        const move = readMoveForm(request);
        if (!move.ok) return detail(session, request, reply, sub, { ship: move, refund: NO_ERRORS }, 400);
        try {
          await orders.moveSubOrder(pageActor(session, request), session.account.id, sub.id, move.input);
        } catch (err) {
          const errors = moveRefusal(err);
          if (!errors) throw err;
          return detail(session, request, reply, sub, { ship: { errors, values: {} }, refund: NO_ERRORS }, 400);
        }
        return seeOther(reply, `/studio/orders/${sub.id}?done=${move.input.to}`);
      }),
    );

    app.post<ById>(
      '/studio/orders/:id/refund',
      { schema: { hide: true } },
      officePage<ById>(deps, 'studio', async (session, request, reply) => {
        const sub = await orders.getSellerSubOrder(session.account.id, request.params.id);
        const asked = readRefundForm(request, sub);
        const again = (refund: RefundFormState) => detail(session, request, reply, sub, { ship: emptyShip, refund }, 400);
        if (!asked.ok) return again(asked.state);
        const outcome = await orders.refundSubOrder(pageActor(session, request), session.account.id, sub.id, asked.input).then(
          (done) => ({ done }),
          (err: unknown) => ({ err }),
        );
        if ('done' in outcome)
          return seeOther(reply, `/studio/orders/${sub.id}?done=${outcome.done.replayed ? 'replayed' : 'refunded'}#refunds`);
        const refusal = refundRefusal(outcome.err, request, sub);
        if (!refusal) throw outcome.err;
        return again({ ...refusal, values: asked.values });
      }),
    );

    app.get<ById>(
      '/studio/orders/:id/packing-slip',
      { schema: { hide: true } },
      officePage<ById>(deps, 'studio', async (session, request, reply) => {
        const slip = await orders.packingSlip(session.account.id, request.params.id);
        return sendPrivatePage(request, reply, <PackingSlipPage site={site} who={whoOf(session)} slip={slip} />);
      }),
    );

    app.get(
      '/studio/reports',
      { schema: { hide: true } },
      officePage(deps, 'studio', (session, request, reply) =>
        sendPrivatePage(request, reply, <ReportsPage site={site} who={whoOf(session)} />),
      ),
    );

    app.get(
      '/studio/webhooks',
      { schema: { hide: true } },
      officePage(deps, 'studio', (session, request, reply) =>
        sendPrivatePage(request, reply, <WebhooksPage site={site} who={whoOf(session)} />),
      ),
    );
  };
}
