import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveSession } from '../../../modules/identity/index.ts';
import { ORDER_STATUSES, type OperatorOrderQuery, type OperatorOrderView } from '../../../modules/orders/index.ts';
import { isDomainError } from '../../../shared/errors.ts';
import { isId } from '../../../shared/ids.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { officePage, pageActor, whoOf } from '../../back-office/guard.tsx';
import { readRefundForm, refundRefusal } from '../../back-office/refund-form.tsx';
import { formField, queryField, type FieldError } from '../../forms.ts';
import { seeOther, sendPrivatePage } from '../../html.ts';
import { ConsoleOrderPage, ConsoleOrdersPage, subPrefix, type ConsoleRefundState, type OrderSearch } from './pages.tsx';

const ORDERS_PER_PAGE = 25;
type ById = { Params: { id: string } };

const NOTICES: Readonly<Record<string, string>> = {
  refunded: 'Refunded: the buyer has been emailed the amount.',
  replayed: 'That refund was already made; nothing more was refunded.',
};

/** The search form's query: what was typed, and the module's query from it. */
function searchOf(request: FastifyRequest): { shown: OrderSearch; query: OperatorOrderQuery } {
  const shown = {
    order: queryField(request, 'order').trim(),
    email: queryField(request, 'email').trim(),
    status: (ORDER_STATUSES as readonly string[]).includes(queryField(request, 'status')) ? queryField(request, 'status') : '',
  };
  const query: OperatorOrderQuery = {
    ...(shown.order ? { order: shown.order } : {}),
    ...(shown.email ? { email: shown.email } : {}),
    ...(shown.status ? { status: shown.status as NonNullable<OperatorOrderQuery['status']> } : {}),
  };
  return { shown, query };
}

/** The console's order look-ups: search, detail, refund any order. */
export function consoleOrderRoutes(deps: BackOfficeDeps) {
  const { site } = deps;
  const orders = deps.orders.service;

  const detail = (
    session: LiveSession,
    request: FastifyRequest,
    reply: FastifyReply,
    order: OperatorOrderView,
    refund: ConsoleRefundState,
    status = 200,
  ) =>
    sendPrivatePage(
      request,
      reply,
      <ConsoleOrderPage
        site={site}
        who={whoOf(session)}
        order={order}
        refund={refund}
        notice={status === 200 ? NOTICES[queryField(request, 'done')] : undefined}
      />,
      status,
    );

  return async (app: FastifyInstance) => {
    app.get(
      '/console/orders',
      { schema: { hide: true } },
      officePage(deps, 'console', async (session, request, reply) => {
        const { shown, query } = searchOf(request);
        const cursor = queryField(request, 'cursor');
        let errors: FieldError[] = [];
        let page = { items: [] as Awaited<ReturnType<typeof orders.searchOrders>>['items'], nextCursor: null as string | null };
        try {
          page = await orders.searchOrders(query, isId(cursor) ? cursor : null, ORDERS_PER_PAGE);
        } catch (err) {
          if (!isDomainError(err) || err.kind !== 'invalid') throw err;
          errors = [{ field: 'order', message: 'Enter an order id, or the 8-character reference the buyer’s emails show' }];
        }
        return sendPrivatePage(
          request,
          reply,
          <ConsoleOrdersPage
            site={site}
            who={whoOf(session)}
            search={shown}
            errors={errors}
            orders={page.items}
            nextCursor={page.nextCursor}
            first={!isId(cursor)}
          />,
          errors.length > 0 ? 400 : 200,
        );
      }),
    );

    app.get<ById>(
      '/console/orders/:id',
      { schema: { hide: true } },
      officePage<ById>(deps, 'console', async (session, request, reply) => {
        const order = await orders.getOrderForOperator(request.params.id);
        return detail(session, request, reply, order, null);
      }),
    );

    app.post<ById>(
      '/console/orders/:id/refund',
      { schema: { hide: true } },
      officePage<ById>(deps, 'console', async (session, request, reply) => {
        const order = await orders.getOrderForOperator(request.params.id);
        const n = order.subOrders.findIndex((s) => s.id === formField(request, 'subOrderId'));
        const sub = order.subOrders[n];
        if (!sub) return seeOther(reply, `/console/orders/${order.id}`);
        const prefix = subPrefix(n);
        const asked = readRefundForm(request, sub, prefix);
        if (!asked.ok) return detail(session, request, reply, order, { subOrderId: sub.id, state: asked.state }, 400);
        const outcome = await orders.refundOrder(pageActor(session, request), order.id, { ...asked.input, subOrderId: sub.id }).then(
          (done) => ({ done }),
          (err: unknown) => ({ err }),
        );
        if ('done' in outcome) {
          return seeOther(reply, `/console/orders/${order.id}?done=${outcome.done.every((d) => d.replayed) ? 'replayed' : 'refunded'}`);
        }
        const refusal = refundRefusal(outcome.err, request, sub, prefix);
        if (!refusal) throw outcome.err;
        return detail(session, request, reply, order, { subOrderId: sub.id, state: { ...refusal, values: asked.values } }, 400);
      }),
    );
  };
}
