import type { AccountDetail, Role } from '../../../modules/identity/index.ts';
import type { Shop } from '../../../modules/catalog/index.ts';
import type { OrderSummary } from '../../../modules/orders/index.ts';
import { orderReference } from '../../../shared/ids.ts';
import type { SiteContext } from '../../components/document.tsx';
import { TextField } from '../../components/form.tsx';
import { hrefWith, Pager } from '../../components/pager.tsx';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { formatDate, formatMoney } from '../../format.ts';
import { STATUS_LABELS } from '../../islands/order-status.tsx';
import { ShopStatusPill } from './shop-pages.tsx';

type Frame = Readonly<{ site: SiteContext; office: 'console'; who: string; path: string }>;

export const ROLES: ReadonlyArray<Role> = ['customer', 'seller', 'admin'];
const ROLE_WORDS: Readonly<Record<Role, string>> = { customer: 'Customer', seller: 'Seller', admin: 'Operator' };

export type AccountFilters = Readonly<{ q: string; role: Role | '' }>;

function AccountSearch(props: { filters: AccountFilters }) {
  return (
    <form class="filters" method="get" action="/console/accounts" role="search" aria-label="Accounts">
      <TextField id="q" label="Email or name" type="search" value={props.filters.q} errors={[]} maxLength={200} />
      <div class="field">
        <label for="role">Role</label>
        <select id="role" name="role">
          <option value="">Any role</option>
          {ROLES.map((r) => (
            <option key={r} value={r} selected={props.filters.role === r}>
              {ROLE_WORDS[r]}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Search accounts</button>
    </form>
  );
}

function AccountRows(props: { accounts: ReadonlyArray<AccountDetail> }) {
  if (props.accounts.length === 0) return <p class="empty">No account matches.</p>;
  return (
    <table class="records">
      <caption class="visually-hidden">Accounts, by email</caption>
      <thead>
        <tr>
          <th scope="col">Email</th>
          <th scope="col">Name</th>
          <th scope="col">Role</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {props.accounts.map((a) => (
          <tr key={a.id}>
            <td>
              <a href={`/console/accounts/${a.id}`}>{a.email}</a>
            </td>
            <td>{a.name}</td>
            <td>{ROLE_WORDS[a.role]}</td>
            <td>{formatDate(a.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `/console/accounts`: accounts by the start of the email or part of the name, and role, by email. */
export function AccountsPage(props: {
  frame: Frame;
  filters: AccountFilters;
  accounts: ReadonlyArray<AccountDetail>;
  nextCursor: string | null;
  first: boolean;
}) {
  const base = [
    ['q', props.filters.q],
    ['role', props.filters.role],
  ] as const;
  return (
    <OfficeLayout {...props.frame} title="Accounts" lead="Customers, sellers and operators, by the start of the email or part of the name.">
      <AccountSearch filters={props.filters} />
      <AccountRows accounts={props.accounts} />
      <Pager
        firstHref={hrefWith('/console/accounts', base)}
        nextHref={props.nextCursor ? hrefWith('/console/accounts', [...base, ['cursor', props.nextCursor]]) : null}
        onFirstPage={props.first}
        label="Pages of accounts"
      />
    </OfficeLayout>
  );
}

function RecentOrders(props: { orders: ReadonlyArray<OrderSummary> }) {
  if (props.orders.length === 0) return <p>No orders yet.</p>;
  return (
    <table class="records">
      <caption class="visually-hidden">Recent orders, newest first</caption>
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
              <a href={`/console/orders/${o.id}`}>{orderReference(o.id)}</a>
            </td>
            <td>{formatDate(o.createdAt)}</td>
            <td>{STATUS_LABELS[o.status] ?? o.status}</td>
            <td class="num">{formatMoney(o.total)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `/console/accounts/<id>`: the account, its role, when it was made, its shop if any, and its recent orders. */
export function AccountPage(props: { frame: Frame; account: AccountDetail; shop: Shop | null; orders: ReadonlyArray<OrderSummary> }) {
  const { account, shop } = props;
  return (
    <OfficeLayout {...props.frame} title={account.name} lead={account.email}>
      <dl class="summary-list">
        <div>
          <dt>Role</dt>
          <dd>{ROLE_WORDS[account.role]}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>
            {account.email} {account.emailVerified ? '(confirmed)' : '(not confirmed)'}
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatDate(account.createdAt)}</dd>
        </div>
        <div>
          <dt>Shop</dt>
          <dd>
            {shop ? (
              <>
                <a href={`/console/shops/${shop.id}`}>{shop.name}</a> <ShopStatusPill status={shop.status} />
              </>
            ) : (
              'None'
            )}
          </dd>
        </div>
      </dl>
      <h2>Recent orders</h2>
      <RecentOrders orders={props.orders} />
      <p>
        <a href="/console/accounts">Back to accounts</a>
      </p>
    </OfficeLayout>
  );
}
