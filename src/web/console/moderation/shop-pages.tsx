import type { AccountDetail } from '../../../modules/identity/index.ts';
import type { Shop, ShopDetail, ShopStatus } from '../../../modules/catalog/index.ts';
import type { SiteContext } from '../../components/document.tsx';
import { TextField } from '../../components/form.tsx';
import { ErrorSummary } from '../../components/layout.tsx';
import { hrefWith, Pager } from '../../components/pager.tsx';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { formatDate } from '../../format.ts';
import type { FieldError } from '../../forms.ts';
import { ReasonField, StatusPill } from './shared.tsx';

type Frame = Readonly<{ site: SiteContext; office: 'console'; who: string; path: string }>;

export const SHOP_STATUSES: ReadonlyArray<ShopStatus> = ['pending', 'active', 'suspended'];
const STATUS_WORDS: Readonly<Record<ShopStatus, string>> = { pending: 'Waiting for approval', active: 'Open', suspended: 'Suspended' };
const STATUS_TONES = { pending: 'warn', active: 'ok', suspended: 'bad' } as const;

export function ShopStatusPill(props: { status: ShopStatus }) {
  return <StatusPill tone={STATUS_TONES[props.status]}>{STATUS_WORDS[props.status]}</StatusPill>;
}

export type ShopFilters = Readonly<{ q: string; status: ShopStatus | '' }>;

function ShopSearch(props: { filters: ShopFilters }) {
  return (
    <form class="filters" method="get" action="/console/shops" role="search" aria-label="Shops">
      <TextField id="q" label="Name or web address" type="search" value={props.filters.q} errors={[]} maxLength={200} />
      <div class="field">
        <label for="status">Status</label>
        <select id="status" name="status">
          <option value="">Any status</option>
          {SHOP_STATUSES.map((s) => (
            <option key={s} value={s} selected={props.filters.status === s}>
              {STATUS_WORDS[s]}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Search shops</button>
    </form>
  );
}

function ShopRows(props: { shops: ReadonlyArray<Shop> }) {
  if (props.shops.length === 0) return <p class="empty">No shop matches.</p>;
  return (
    <table class="records">
      <caption class="visually-hidden">Shops, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Shop</th>
          <th scope="col">Web address</th>
          <th scope="col">Status</th>
          <th scope="col">Opened</th>
        </tr>
      </thead>
      <tbody>
        {props.shops.map((s) => (
          <tr key={s.id}>
            <td>
              <a href={`/console/shops/${s.id}`}>{s.name}</a>
            </td>
            <td>{s.slug}</td>
            <td>
              <ShopStatusPill status={s.status} />
            </td>
            <td>{formatDate(s.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `/console/shops`: every shop, newest first, by part of the name or the start of the web address and by status. */
export function ShopsPage(props: {
  frame: Frame;
  filters: ShopFilters;
  shops: ReadonlyArray<Shop>;
  nextCursor: string | null;
  first: boolean;
}) {
  const base = [
    ['q', props.filters.q],
    ['status', props.filters.status],
  ] as const;
  return (
    <OfficeLayout {...props.frame} title="Shops" lead="Find a shop to approve, suspend or reinstate.">
      <ShopSearch filters={props.filters} />
      <ShopRows shops={props.shops} />
      <Pager
        firstHref={hrefWith('/console/shops', base)}
        nextHref={props.nextCursor ? hrefWith('/console/shops', [...base, ['cursor', props.nextCursor]]) : null}
        onFirstPage={props.first}
        label="Pages of shops"
      />
    </OfficeLayout>
  );
}

/** What the detail page says after a move, or when a move was refused. */
export type ShopAnswer = Readonly<{ notice?: string; conflict?: string; errors?: ReadonlyArray<FieldError>; reason?: string }>;

const DONE: Readonly<Record<string, string>> = {
  approved: 'Approved: the shop is open and its published products are on the storefront.',
  suspended:
    'Suspended: its products have left the storefront and search, carts holding them cannot check out, and the seller sees your reason in the studio.',
  reinstated: 'Reinstated: the shop is open again and its published products are back on the storefront and in search.',
};

export const doneNotice = (done: string): string | undefined => DONE[done];

function ShopFacts(props: { detail: ShopDetail; owner: AccountDetail | null }) {
  const { shop, products } = props.detail;
  return (
    <dl class="summary-list">
      <div>
        <dt>Web address</dt>
        <dd>{shop.status === 'active' ? <a href={`/shops/${shop.slug}`}>/shops/{shop.slug}</a> : `/shops/${shop.slug}`}</dd>
      </div>
      <div>
        <dt>Owner</dt>
        <dd>
          <a href={`/console/accounts/${shop.ownerId}`}>{props.owner ? `${props.owner.name} (${props.owner.email})` : 'Their account'}</a>
        </dd>
      </div>
      <div>
        <dt>Opened</dt>
        <dd>{formatDate(shop.createdAt)}</dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd>
          <ShopStatusPill status={shop.status} />
          {shop.statusChangedAt ? <span class="moderation-since"> since {formatDate(shop.statusChangedAt)}</span> : null}
          {shop.statusReason ? <p class="moderation-reason">Reason: {shop.statusReason}</p> : null}
        </dd>
      </div>
      <div>
        <dt>Products</dt>
        <dd>
          {products.published} published{shop.status === 'active' ? '' : ' (none public while the shop is not open)'}, {products.draft}{' '}
          drafts, {products.held} held by the marketplace ·{' '}
          <a href={hrefWith('/console/products', [['shop', shop.slug]])}>Look up its products</a>
        </dd>
      </div>
    </dl>
  );
}

function MoveButton(props: { shopId: string; move: 'approve' | 'reinstate'; label: string }) {
  return (
    <form method="post" action={`/console/shops/${props.shopId}/${props.move}`}>
      <button type="submit">{props.label}</button>
    </form>
  );
}

function SuspendForm(props: { shopId: string; errors: ReadonlyArray<FieldError>; reason: string }) {
  return (
    <form method="post" action={`/console/shops/${props.shopId}/suspend`} class="moderation-form" novalidate>
      <h2>Suspend the shop</h2>
      <p class="hint">Its products leave the storefront and search at once, and carts holding them cannot check out.</p>
      <ReasonField id="reason" value={props.reason} errors={props.errors} />
      <button type="submit" class="danger">
        Suspend
      </button>
    </form>
  );
}

function ShopMoves(props: { shop: Shop; answer: ShopAnswer }) {
  const { shop } = props;
  const canSuspend = shop.status === 'pending' || shop.status === 'active';
  return (
    <section aria-labelledby="moves-heading" class="moderation-moves">
      <h2 id="moves-heading" class="visually-hidden">
        What you can do
      </h2>
      <div class="actions">
        {shop.status === 'pending' ? <MoveButton shopId={shop.id} move="approve" label="Approve" /> : null}
        {shop.status === 'suspended' ? <MoveButton shopId={shop.id} move="reinstate" label="Reinstate" /> : null}
      </div>
      {canSuspend ? <SuspendForm shopId={shop.id} errors={props.answer.errors ?? []} reason={props.answer.reason ?? ''} /> : null}
    </section>
  );
}

/** `/console/shops/<id>`: the shop, its owner, where it stands and why, its products, and the moves allowed now. */
export function ShopPage(props: { frame: Frame; detail: ShopDetail; owner: AccountDetail | null; answer: ShopAnswer }) {
  const { shop } = props.detail;
  return (
    <OfficeLayout {...props.frame} title={shop.name} lead={`Shop · ${shop.slug}`} notice={props.answer.notice}>
      <ErrorSummary errors={props.answer.errors ?? []} />
      {props.answer.conflict ? (
        <div class="error-summary" role="alert">
          <h2>Someone got there first</h2>
          <p>{props.answer.conflict}. Nothing was changed: this is the shop as it stands now.</p>
        </div>
      ) : null}
      <ShopFacts detail={props.detail} owner={props.owner} />
      <ShopMoves shop={shop} answer={props.answer} />
      <p>
        <a href="/console/shops">Back to shops</a>
      </p>
    </OfficeLayout>
  );
}
