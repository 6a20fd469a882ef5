import type { ComponentChildren } from 'preact';
import {
  KNOWN_CARRIERS,
  LEGAL_MOVES,
  SHIPMENT_FIELDS,
  type OrderStatus,
  type PackingSlip,
  type SellerOrderSummary,
  type SellerSubOrderView,
  type ShippingAddress,
} from '../../../modules/orders/index.ts';
import { orderReference } from '../../../shared/ids.ts';
import type { SiteContext } from '../../components/document.tsx';
import { TextField } from '../../components/form.tsx';
import { Island } from '../../components/island.tsx';
import SalesPrint from '../../islands/sales-print.tsx';
import { ErrorSummary } from '../../components/layout.tsx';
import { hrefWith, Pager } from '../../components/pager.tsx';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { RefundControls, RefundsMade, lineName, type RefundFormState } from '../../back-office/refund-form.tsx';
import { formatDate, formatMoney } from '../../format.ts';
import type { FieldError } from '../../forms.ts';

/** A sub-order's state in the seller's words, and how its pill looks. */
export const SALE_STATUS: Readonly<Record<string, { label: string; tone: string }>> = {
  paid: { label: 'To send', tone: 'warn' },
  fulfilled: { label: 'Packed', tone: 'warn' },
  shipped: { label: 'Shipped', tone: 'ok' },
  delivered: { label: 'Delivered', tone: 'ok' },
  refunded: { label: 'Refunded', tone: 'bad' },
};

export const FILTER_STATUSES = ['paid', 'fulfilled', 'shipped', 'delivered', 'refunded'] as const satisfies readonly OrderStatus[];

export function StatusPill(props: { status: string }) {
  const s = SALE_STATUS[props.status];
  return <span class={`status ${s?.tone ?? ''}`}>{s?.label ?? props.status}</span>;
}

export function Address(props: { address: ShippingAddress }) {
  const a = props.address;
  return (
    <address class="ship-to">
      {a.name}
      <br />
      {a.line1}
      {a.line2 ? (
        <>
          <br />
          {a.line2}
        </>
      ) : null}
      <br />
      {a.postalCode} {a.city}
      <br />
      {a.country}
    </address>
  );
}

type Frame = Readonly<{ site: SiteContext; who: string; notice?: string | undefined }>;

export type OrdersFilter = Readonly<{ status: string; from: string; before: string }>;

export function OrdersListPage(
  props: Frame & { filter: OrdersFilter; orders: readonly SellerOrderSummary[]; nextCursor: string | null; first: boolean },
) {
  const f = props.filter;
  const base: Array<readonly [string, string]> = [
    ['status', f.status],
    ['from', f.from],
    ['before', f.before],
  ];
  return (
    <OfficeLayout
      site={props.site}
      office="studio"
      title="Orders"
      path="/studio/orders"
      who={props.who}
      lead="Paid orders of your shop, newest first."
    >
      <form method="get" action="/studio/orders" class="filters" role="search" aria-label="Filter orders">
        <div class="field">
          <label for="status">Status</label>
          <select id="status" name="status">
            <option value="">Any status</option>
            {FILTER_STATUSES.map((s) => (
              <option key={s} value={s} selected={f.status === s}>
                {SALE_STATUS[s]!.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="from">Placed on or after</label>
          <input id="from" name="from" type="date" value={f.from} />
        </div>
        <div class="field">
          <label for="before">Placed before</label>
          <input id="before" name="before" type="date" value={f.before} />
        </div>
        <button type="submit" class="button secondary">
          Show orders
        </button>
      </form>
      {props.orders.length === 0 ? <p>No orders match.</p> : <SalesTable orders={props.orders} />}
      <Pager
        firstHref={hrefWith('/studio/orders', base)}
        nextHref={props.nextCursor ? hrefWith('/studio/orders', [...base, ['cursor', props.nextCursor]]) : null}
        onFirstPage={props.first}
        label="Pages of orders"
      />
    </OfficeLayout>
  );
}

function SalesTable(props: { orders: readonly SellerOrderSummary[] }) {
  return (
    <table class="records">
      <caption class="visually-hidden">Orders</caption>
      <thead>
        <tr>
          <th scope="col">Order</th>
          <th scope="col">Placed</th>
          <th scope="col">Status</th>
          <th scope="col" class="num">
            Total
          </th>
        </tr>
      </thead>
      <tbody>
        {props.orders.map((o) => (
          <tr key={o.subOrderId}>
            <td>
              <a href={`/studio/orders/${o.subOrderId}`}>Order {orderReference(o.orderId)}</a>
            </td>
            <td>{formatDate(o.placedAt)}</td>
            <td>
              <StatusPill status={o.status} />
            </td>
            <td class="num">{formatMoney(o.total)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The order page's forms as they were sent, when one comes back with errors. */
export type DetailState = Readonly<{
  ship: Readonly<{ errors: readonly FieldError[]; values: Readonly<Record<string, string>> }>;
  refund: RefundFormState;
}>;

export function OrderDetailPage(props: Frame & { sub: SellerSubOrderView; state: DetailState }) {
  const { sub, state } = props;
  const path = `/studio/orders/${sub.id}`;
  const errors = [...state.ship.errors, ...state.refund.errors];
  return (
    <OfficeLayout
      site={props.site}
      office="studio"
      title={`Order ${sub.orderReference}`}
      path={path}
      who={props.who}
      notice={props.notice}
      lead={
        <>
          Placed {formatDate(sub.placedAt)} · <StatusPill status={sub.status} /> · {formatMoney(sub.total)}
        </>
      }
    >
      <ErrorSummary errors={errors} />
      <p class="no-print">
        <a href={`${path}/packing-slip`}>Packing slip</a> · <a href="/studio/orders">All orders</a>
      </p>
      <div class="order-columns">
        <section aria-labelledby="ship-to">
          <h2 id="ship-to">Ship to</h2>
          <Address address={sub.shippingAddress} />
        </section>
        <section aria-labelledby="shipping">
          <h2 id="shipping">Shipping</h2>
          <ShipmentFacts sub={sub} />
          <MoveForms sub={sub} action={`${path}/advance`} state={state.ship} />
        </section>
      </div>
      <section aria-labelledby="lines">
        <h2 id="lines">Lines</h2>
        <LinesTable sub={sub} />
      </section>
      <section aria-labelledby="refunds">
        <h2 id="refunds">Refunds</h2>
        <RefundsMade sub={sub} />
        <RefundControls action={`${path}/refund`} sub={sub} state={state.refund} />
      </section>
    </OfficeLayout>
  );
}

export function LinesTable(props: { sub: SellerSubOrderView }) {
  return (
    <table class="records">
      <caption class="visually-hidden">Lines of order {props.sub.orderReference}</caption>
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col">SKU</th>
          <th scope="col" class="num">
            Quantity
          </th>
          <th scope="col" class="num">
            Refunded
          </th>
          <th scope="col" class="num">
            Price
          </th>
          <th scope="col" class="num">
            Line total
          </th>
        </tr>
      </thead>
      <tbody>
        {props.sub.lines.map((l) => (
          <tr key={l.variantId}>
            <td>{lineName(l)}</td>
            <td>{l.sku}</td>
            <td class="num">{l.quantity}</td>
            <td class="num">{l.refundedQuantity}</td>
            <td class="num">{formatMoney(l.unitPrice)}</td>
            <td class="num">{formatMoney({ amount: l.unitPrice.amount * l.quantity, currency: l.unitPrice.currency })}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ShipmentFacts(props: { sub: SellerSubOrderView }) {
  const { sub } = props;
  const facts: Array<[string, ComponentChildren]> = [];
  if (sub.fulfilledAt) facts.push(['Packed', formatDate(sub.fulfilledAt)]);
  if (sub.shippedAt) facts.push(['Shipped', formatDate(sub.shippedAt)]);
  if (sub.shipment) {
    facts.push(['Carrier', sub.shipment.carrierName]);
    if (sub.shipment.trackingNumber) facts.push(['Tracking number', sub.shipment.trackingNumber]);
    if (sub.shipment.trackingUrl) facts.push(['Tracking link', <a href={sub.shipment.trackingUrl}>Track the parcel</a>]);
  }
  if (sub.deliveredAt) facts.push(['Delivered', formatDate(sub.deliveredAt)]);
  if (facts.length === 0) return <p>Not sent yet.</p>;
  return (
    <dl class="facts">
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The moves the state machine allows a seller now, each its own form. */
function MoveForms(props: { sub: SellerSubOrderView; action: string; state: DetailState['ship'] }) {
  const allowed = LEGAL_MOVES[props.sub.status];
  const can = (to: OrderStatus) => allowed[to]?.includes('seller') === true;
  if (!can('fulfilled') && !can('shipped') && !can('delivered')) return null;
  return (
    <div class="moves">
      {can('fulfilled') ? (
        <form method="post" action={props.action} class="actions">
          <input type="hidden" name="to" value="fulfilled" />
          <button type="submit" class="button secondary">
            Mark fulfilled
          </button>
        </form>
      ) : null}
      {can('shipped') ? <ShipForm action={props.action} state={props.state} /> : null}
      {can('delivered') ? (
        <form method="post" action={props.action} class="actions">
          <input type="hidden" name="to" value="delivered" />
          <button type="submit" class="button">
            Mark delivered
          </button>
        </form>
      ) : null}
    </div>
  );
}

function ShipForm(props: { action: string; state: DetailState['ship'] }) {
  const v = props.state.values;
  return (
    <form method="post" action={props.action} class="ship-form">
      <input type="hidden" name="to" value="shipped" />
      <fieldset>
        <legend>Send the parcel</legend>
        <TextField
          id="carrier"
          label="Carrier"
          hint={`For example ${KNOWN_CARRIERS.slice(0, 4).join(', ')}; leave empty when handed over in person`}
          errors={props.state.errors}
          value={v.carrier ?? ''}
          autocomplete="off"
          maxLength={SHIPMENT_FIELDS.carrier.maxLength}
        />
        <TextField
          id="tracking-number"
          name="trackingNumber"
          label="Tracking number"
          errors={props.state.errors}
          value={v['tracking-number'] ?? ''}
          autocomplete="off"
          maxLength={SHIPMENT_FIELDS.trackingNumber.maxLength}
        />
        <TextField
          id="tracking-url"
          name="trackingUrl"
          label="Tracking link (optional)"
          hint="Only for a carrier we do not know: we build the link for the others"
          errors={props.state.errors}
          value={v['tracking-url'] ?? ''}
          autocomplete="off"
          maxLength={SHIPMENT_FIELDS.trackingUrl.maxLength}
        />
      </fieldset>
      <button type="submit" class="button">
        Mark shipped
      </button>
    </form>
  );
}

export function PackingSlipPage(props: Frame & { slip: PackingSlip }) {
  const { slip } = props;
  return (
    <OfficeLayout
      site={props.site}
      office="studio"
      title={`Packing slip · order ${slip.orderReference}`}
      path={`/studio/orders/${slip.subOrderId}/packing-slip`}
      who={props.who}
    >
      <div class="packing-slip">
        <p class="no-print">
          <a href={`/studio/orders/${slip.subOrderId}`}>Back to the order</a>
        </p>
        <div class="no-print print-hint">
          <p>To print it, use your browser's Print command (Ctrl+P, or ⌘P on a Mac): only the slip is printed.</p>
          <Island name="sales-print" component={SalesPrint} props={{}} />
        </div>
        <p>
          <strong>{slip.shopName}</strong> · order <strong>{slip.orderReference}</strong> · placed {formatDate(slip.placedAt)}
        </p>
        <h2>Ship to</h2>
        <Address address={slip.shipTo} />
        <h2>In the parcel</h2>
        <table class="records">
          <caption class="visually-hidden">Items to pack</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">SKU</th>
              <th scope="col" class="num">
                Quantity
              </th>
              <th scope="col">Packed</th>
            </tr>
          </thead>
          <tbody>
            {slip.lines.map((l) => (
              <tr key={l.variantId}>
                <td>{lineName(l)}</td>
                <td>{l.sku}</td>
                <td class="num">{l.quantity}</td>
                <td>
                  <span class="tick-box" aria-hidden="true" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {slip.shipment ? (
          <p>
            Sent with {slip.shipment.carrierName}
            {slip.shipment.trackingNumber ? `, tracking number ${slip.shipment.trackingNumber}` : ''}.
          </p>
        ) : null}
        <p class="slip-thanks">Thank you for buying from {slip.shopName}.</p>
      </div>
    </OfficeLayout>
  );
}
