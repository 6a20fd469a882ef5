import { orderReference } from '../../shared/ids.ts';
import type { Account, LiveSession, SessionInfo } from '../../modules/identity/index.ts';
import type { OrderSummary, OrderView } from '../../modules/orders/index.ts';
import type { SiteContext } from '../components/document.tsx';
import { Island } from '../components/island.tsx';
import { Layout, PageHeading } from '../components/layout.tsx';
import { formatDate, formatMoney } from '../format.ts';
import OrderStatus, { STATUS_LABELS } from '../islands/order-status.tsx';

function AccountLayout(props: { site: SiteContext; title: string; path: string; children: preact.ComponentChildren }) {
  return (
    <Layout site={props.site} meta={{ title: props.title, description: props.title, path: props.path, noindex: true }}>
      <nav aria-label="Account pages" class="account-nav">
        <ul>
          <li>
            <a href="/account" aria-current={props.path === '/account' ? 'page' : undefined}>
              Account
            </a>
          </li>
          <li>
            <a href="/account/orders" aria-current={props.path.startsWith('/account/orders') ? 'page' : undefined}>
              Orders
            </a>
          </li>
          <li>
            <a href="/account/sessions" aria-current={props.path === '/account/sessions' ? 'page' : undefined}>
              Where you are signed in
            </a>
          </li>
        </ul>
      </nav>
      {props.children}
    </Layout>
  );
}

export function AccountPage(props: { site: SiteContext; account: Account }) {
  const { account } = props;
  return (
    <AccountLayout site={props.site} title="Your account" path="/account">
      <PageHeading title="Your account" />
      <dl class="summary-list">
        <div>
          <dt>Name</dt>
          <dd>{account.name}</dd>
        </div>
        <div>
          <dt>Email address</dt>
          <dd>
            {account.email}{' '}
            {account.emailVerified ? (
              <span class="tag ok">Confirmed</span>
            ) : (
              <span class="tag warn">Not confirmed yet: open the link we emailed you</span>
            )}
          </dd>
        </div>
      </dl>
      <ul class="link-list">
        <li>
          <a href="/account/orders">Your orders</a>
        </li>
        <li>
          <a href="/account/sessions">Where you are signed in</a>
        </li>
        <li>
          <a href="/forgot-password">Change your password by email</a>
        </li>
      </ul>
      <form method="post" action="/sign-out">
        <button type="submit" class="secondary">
          Sign out
        </button>
      </form>
    </AccountLayout>
  );
}

export function OrdersPage(props: { site: SiteContext; orders: readonly OrderSummary[]; nextCursor: string | null; first: boolean }) {
  return (
    <AccountLayout site={props.site} title="Your orders" path="/account/orders">
      <PageHeading title="Your orders" />
      {props.orders.length === 0 ? (
        <p>
          {props.first ? 'You have not placed an order yet.' : 'No more orders.'} <a href="/products">Browse everything</a>
        </p>
      ) : (
        <table>
          <caption class="visually-hidden">Your orders, newest first</caption>
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
              <tr key={o.id}>
                <td>
                  <a href={`/account/orders/${o.id}`}>
                    <span class="visually-hidden">Order </span>
                    {orderReference(o.id)}
                  </a>
                </td>
                <td>{formatDate(o.createdAt)}</td>
                <td>{STATUS_LABELS[o.status] ?? o.status}</td>
                <td class="num">{formatMoney(o.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="More orders">
        {props.first ? <span /> : <a href="/account/orders">Newest orders</a>}
        {props.nextCursor ? <a href={`/account/orders?cursor=${encodeURIComponent(props.nextCursor)}`}>Older orders</a> : <span />}
      </nav>
    </AccountLayout>
  );
}

export function OrderPage(props: { site: SiteContext; order: OrderView; placed: boolean }) {
  const { order } = props;
  const a = order.shippingAddress;
  return (
    <AccountLayout
      site={props.site}
      title={props.placed ? 'Thank you for your order' : `Order ${orderReference(order.id)}`}
      path={`/account/orders/${order.id}`}
    >
      {props.placed ? (
        <div class="confirmation">
          <h1>Thank you for your order</h1>
          <p class="lead">
            Your order number is <strong class="order-number">{orderReference(order.id)}</strong>. We email you a confirmation once your
            payment has gone through.
          </p>
        </div>
      ) : (
        <PageHeading title={`Order ${orderReference(order.id)}`} lead={`Placed ${formatDate(order.createdAt)}`} />
      )}
      <Island name="order-status" component={OrderStatus} props={{ orderId: order.id, status: order.status, label: 'Status:' }} />
      {order.subOrders.map((sub) => (
        <section key={sub.id} class="card order-shop" aria-labelledby={`shop-${sub.id}`}>
          <h2 id={`shop-${sub.id}`}>From {sub.shopName}</h2>
          <table>
            <caption class="visually-hidden">Items from {sub.shopName}</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" class="num">
                  Price
                </th>
                <th scope="col" class="num">
                  Quantity
                </th>
                <th scope="col" class="num">
                  Subtotal
                </th>
              </tr>
            </thead>
            <tbody>
              {sub.lines.map((l) => (
                <tr key={l.variantId}>
                  <td>
                    <a href={`/products/${l.productId}`}>{l.title}</a>
                    {Object.keys(l.options).length > 0 ? (
                      <span class="muted">
                        {' '}
                        (
                        {Object.entries(l.options)
                          .map(([k, v]) => `${k}: ${v}`)
                          .join(', ')}
                        )
                      </span>
                    ) : null}
                  </td>
                  <td class="num">{formatMoney(l.unitPrice)}</td>
                  <td class="num">{l.quantity}</td>
                  <td class="num">{formatMoney({ amount: l.unitPrice.amount * l.quantity, currency: l.unitPrice.currency })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <dl class="summary-list">
        <div>
          <dt>Total</dt>
          <dd class="price">{formatMoney(order.total)}</dd>
        </div>
        <div>
          <dt>Delivering to</dt>
          <dd>
            <address>
              {[a.name, a.line1, a.line2, a.city, a.postalCode, a.country]
                .filter((x): x is string => Boolean(x))
                .map((x, i) => (
                  <span key={i} class="address-line">
                    {x}
                  </span>
                ))}
            </address>
          </dd>
        </div>
      </dl>
      <p>
        <a href="/account/orders">All your orders</a>
      </p>
    </AccountLayout>
  );
}

export function SessionsPage(props: {
  site: SiteContext;
  session: LiveSession;
  sessions: ReadonlyArray<SessionInfo & { current: boolean }>;
  notice?: string;
}) {
  const others = props.sessions.filter((s) => !s.current);
  return (
    <AccountLayout site={props.site} title="Where you are signed in" path="/account/sessions">
      <PageHeading title="Where you are signed in" lead="Each time you sign in makes a session. Sign out of any you do not recognise." />
      {props.notice ? (
        <p class="notice ok" role="status">
          {props.notice}
        </p>
      ) : null}
      <table>
        <caption class="visually-hidden">Your sessions</caption>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span class="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.sessions.map((s, i) => (
            <tr key={s.id}>
              <td>{s.current ? <strong>This browser</strong> : `Another browser or device (${i + 1})`}</td>
              <td>{formatDate(s.createdAt)}</td>
              <td>{formatDate(s.lastSeenAt)}</td>
              <td>
                {s.current ? (
                  <form method="post" action="/sign-out">
                    <button type="submit" class="secondary">
                      Sign out
                    </button>
                  </form>
                ) : (
                  <form method="post" action={`/account/sessions/${s.id}/sign-out`}>
                    <button type="submit" class="secondary">
                      Sign out<span class="visually-hidden"> the session started {formatDate(s.createdAt)}</span>
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {others.length > 0 ? (
        <form method="post" action="/account/sessions/sign-out-others" class="after-table">
          <button type="submit">Sign out everywhere else</button>
        </form>
      ) : null}
    </AccountLayout>
  );
}
