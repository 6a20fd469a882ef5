import { ORDER_STATUSES, type OperatorOrderSummary, type OperatorOrderView } from '../../../modules/orders/index.ts';
import type { SiteContext } from '../../components/document.tsx';
import { TextField } from '../../components/form.tsx';
import { ErrorSummary } from '../../components/layout.tsx';
import { hrefWith, Pager } from '../../components/pager.tsx';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { RefundControls, RefundsMade, type RefundFormState } from '../../back-office/refund-form.tsx';
import { formatDate, formatMoney } from '../../format.ts';
import type { FieldError } from '../../forms.ts';
import { Address, LinesTable, StatusPill } from '../../studio/sales/order-pages.tsx';

type Frame = Readonly<{ site: SiteContext; who: string; notice?: string | undefined }>;

/** An order's state in the operator's words. */
const ORDER_STATUS_LABEL: Readonly<Record<string, string>> = {
  pending_payment: 'Taking payment',
  paid: 'Paid',
  payment_failed: 'Payment failed',
  cancelled: 'Cancelled',
  fulfilled: 'Packed',
  shipped: 'Shipped',
  delivered: 'Delivered',
  refunded: 'Refunded',
};

export type OrderSearch = Readonly<{ order: string; email: string; status: string }>;

export function ConsoleOrdersPage(
  props: Frame & {
    search: OrderSearch;
    errors: readonly FieldError[];
    orders: readonly OperatorOrderSummary[];
    nextCursor: string | null;
    first: boolean;
  },
) {
  const q = props.search;
  const base: Array<readonly [string, string]> = [
    ['order', q.order],
    ['email', q.email],
    ['status', q.status],
  ];
  return (
    <OfficeLayout
      site={props.site}
      office="console"
      title="Orders"
      path="/console/orders"
      who={props.who}
      lead="Every order on the marketplace, newest first."
    >
      <ErrorSummary errors={props.errors} />
      <form method="get" action="/console/orders" class="filters" role="search" aria-label="Find orders">
        <TextField
          id="order"
          label="Order id or reference"
          errors={props.errors}
          value={q.order}
          autocomplete="off"
          spellcheck={false}
          maxLength={40}
        />
        <TextField id="email" type="email" label="Buyer's email" errors={props.errors} value={q.email} autocomplete="off" maxLength={254} />
        <div class="field">
          <label for="status">Status</label>
          <select id="status" name="status">
            <option value="">Any status</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s} selected={q.status === s}>
                {ORDER_STATUS_LABEL[s] ?? s}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button secondary">
          Find orders
        </button>
      </form>
      {props.orders.length === 0 ? <p>No orders match.</p> : <OrdersTable orders={props.orders} />}
      <Pager
        firstHref={hrefWith('/console/orders', base)}
        nextHref={props.nextCursor ? hrefWith('/console/orders', [...base, ['cursor', props.nextCursor]]) : null}
        onFirstPage={props.first}
        label="Pages of orders"
      />
    </OfficeLayout>
  );
}

function OrdersTable(props: { orders: readonly OperatorOrderSummary[] }) {
  return (
    <table class="records">
      <caption class="visually-hidden">Orders found</caption>
      <thead>
        <tr>
          <th scope="col">Order</th>
          <th scope="col">Placed</th>
          <th scope="col">Status</th>
          <th scope="col">Shops</th>
          <th scope="col" class="num">
            Total
          </th>
        </tr>
      </thead>
      <tbody>
        {props.orders.map((o) => (
          <tr key={o.id}>
            <td>
              <a href={`/console/orders/${o.id}`}>Order {o.reference}</a>
            </td>
            <td>{formatDate(o.createdAt)}</td>
            <td>{ORDER_STATUS_LABEL[o.status] ?? o.status}</td>
            <td>{o.subOrders.map((s) => s.shopName).join(', ')}</td>
            <td class="num">{formatMoney(o.total)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Which sub-order's refund form came back with errors, and what it said. */
export type ConsoleRefundState = Readonly<{ subOrderId: string; state: RefundFormState }> | null;

/** Field ids of the n-th sub-order's forms: the first keeps the studio's ids. */
export const subPrefix = (n: number) => (n === 0 ? '' : `sub${n + 1}-`);

export function ConsoleOrderPage(props: Frame & { order: OperatorOrderView; refund: ConsoleRefundState }) {
  const { order } = props;
  const path = `/console/orders/${order.id}`;
  return (
    <OfficeLayout
      site={props.site}
      office="console"
      title={`Order ${order.reference}`}
      path={path}
      who={props.who}
      notice={props.notice}
      lead={
        <>
          Placed {formatDate(order.createdAt)} · {ORDER_STATUS_LABEL[order.status] ?? order.status} · {formatMoney(order.total)}, refunded{' '}
          {formatMoney(order.refunded)}
        </>
      }
    >
      <ErrorSummary errors={props.refund?.state.errors ?? []} />
      <p>
        <a href="/console/orders">All orders</a>
      </p>
      <div class="order-columns">
        <section aria-labelledby="buyer">
          <h2 id="buyer">Buyer</h2>
          <p>
            {order.customer.name ?? 'No name'}
            <br />
            {order.customer.email ? <a href={`mailto:${order.customer.email}`}>{order.customer.email}</a> : 'No email'}
          </p>
        </section>
        <section aria-labelledby="ship-to">
          <h2 id="ship-to">Ship to</h2>
          <Address address={order.shippingAddress} />
        </section>
      </div>
      {order.subOrders.map((sub, n) => (
        <section key={sub.id} aria-labelledby={`shop-${n}`} class="sub-order">
          <h2 id={`shop-${n}`}>
            {sub.shopName} <StatusPill status={sub.status} />
          </h2>
          {sub.shipment ? (
            <p>
              Sent with {sub.shipment.carrierName}
              {sub.shipment.trackingNumber ? `, tracking number ${sub.shipment.trackingNumber}` : ''}.
            </p>
          ) : null}
          <LinesTable sub={sub} />
          <h3>Refunds</h3>
          <RefundsMade sub={sub} caption={`Refunds of ${sub.shopName}'s part`} />
          {['paid', 'fulfilled', 'shipped', 'delivered'].includes(sub.status) ? (
            <RefundControls
              action={`${path}/refund`}
              sub={sub}
              prefix={subPrefix(n)}
              state={props.refund?.subOrderId === sub.id ? props.refund.state : { errors: [], values: {} }}
            />
          ) : null}
        </section>
      ))}
    </OfficeLayout>
  );
}
