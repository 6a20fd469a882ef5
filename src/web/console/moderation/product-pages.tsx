import type { Product } from '../../../modules/catalog/index.ts';
import type { SiteContext } from '../../components/document.tsx';
import { TextField } from '../../components/form.tsx';
import { ErrorSummary } from '../../components/layout.tsx';
import { hrefWith, Pager } from '../../components/pager.tsx';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { formatMoney } from '../../format.ts';
import { errorFor, type FieldError } from '../../forms.ts';
import { ReasonField, StatusPill } from './shared.tsx';

type Frame = Readonly<{ site: SiteContext; office: 'console'; who: string; path: string }>;

/** What a seller's list filters on (only with a shop: search finds published products only). */
export const PRODUCT_STATUSES = ['published', 'draft', 'unpublished'] as const;
export type ProductStatusFilter = (typeof PRODUCT_STATUSES)[number];
const FILTER_WORDS: Readonly<Record<ProductStatusFilter, string>> = {
  published: 'Published',
  draft: 'Draft',
  unpublished: 'Held by the marketplace',
};

/** The look-up: words of the title, the shop's web address, and (with a shop) the status. */
export type ProductFilters = Readonly<{
  q: string;
  shop: string;
  status: ProductStatusFilter | '';
  /** One product, by id. */ product: string;
}>;

export const filterParams = (f: ProductFilters) =>
  [
    ['q', f.q],
    ['shop', f.shop],
    ['status', f.status],
    ['product', f.product],
  ] as const;

/** The field id of a product's reason, unique on the page. */
export const reasonId = (productId: string) => `reason-${productId}`;

function ProductSearch(props: { filters: ProductFilters; errors: ReadonlyArray<FieldError> }) {
  const f = props.filters;
  return (
    <form class="filters" method="get" action="/console/products" role="search" aria-label="Products">
      <TextField id="q" label="Title" type="search" value={f.q} errors={props.errors} maxLength={200} />
      <TextField id="shop" label="Shop web address" value={f.shop} errors={props.errors} maxLength={100} />
      <div class="field">
        <label for="status">Status</label>
        <select id="status" name="status">
          <option value="">Any status</option>
          {PRODUCT_STATUSES.map((s) => (
            <option key={s} value={s} selected={f.status === s}>
              {FILTER_WORDS[s]}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Look up products</button>
    </form>
  );
}

function ProductState(props: { product: Product }) {
  const p = props.product;
  if (p.moderationNote !== null) {
    return (
      <>
        <StatusPill tone="bad">Held by the marketplace</StatusPill>
        <p class="moderation-reason">Reason: {p.moderationNote}</p>
      </>
    );
  }
  const shopOpen = p.shopStatus === 'active';
  if (p.status === 'published')
    return <StatusPill tone={shopOpen ? 'ok' : 'warn'}>{shopOpen ? 'Published' : `Published, shop ${p.shopStatus}`}</StatusPill>;
  return <StatusPill tone="warn">Draft</StatusPill>;
}

/** Hidden fields that bring the operator back to the same look-up after a move. */
function BackTo(props: { filters: ProductFilters }) {
  return <>{filterParams(props.filters).map(([k, v]) => (v ? <input key={k} type="hidden" name={`back-${k}`} value={v} /> : null))}</>;
}

function UnpublishForm(props: { product: Product; filters: ProductFilters; errors: ReadonlyArray<FieldError>; reason: string }) {
  const p = props.product;
  return (
    <form method="post" action={`/console/products/${p.id}/unpublish`} class="moderation-form inline" novalidate>
      <fieldset>
        <legend class="visually-hidden">Unpublish {p.title}</legend>
        <BackTo filters={props.filters} />
        <ReasonField id={reasonId(p.id)} value={props.reason} errors={props.errors} />
        <button type="submit" class="danger">
          Unpublish
        </button>
      </fieldset>
    </form>
  );
}

function ReleaseForm(props: { product: Product; filters: ProductFilters }) {
  return (
    <form method="post" action={`/console/products/${props.product.id}/release`}>
      <BackTo filters={props.filters} />
      <button type="submit" class="secondary" aria-label={`Release ${props.product.title}`}>
        Release
      </button>
    </form>
  );
}

function ProductRow(props: { product: Product; filters: ProductFilters; errors: ReadonlyArray<FieldError>; reason: string }) {
  const p = props.product;
  const mine = errorFor(props.errors, reasonId(p.id)) !== undefined;
  const isPublic = p.status === 'published' && p.shopStatus === 'active' && p.moderationNote === null;
  return (
    <li class="moderation-product card">
      <h2>{isPublic ? <a href={`/products/${p.id}`}>{p.title}</a> : p.title}</h2>
      <p>
        <a href={`/console/shops/${p.shopId}`}>{p.shopName}</a> · from {formatMoney(p.priceMin)} · <ProductState product={p} />
      </p>
      <div class="actions">
        {p.moderationNote !== null ? <ReleaseForm product={p} filters={props.filters} /> : null}
        <UnpublishForm product={p} filters={props.filters} errors={mine ? props.errors : []} reason={mine ? props.reason : ''} />
      </div>
    </li>
  );
}

export type ProductAnswer = Readonly<{ notice?: string; conflict?: string; errors: ReadonlyArray<FieldError>; reason?: string }>;

/** `/console/products`: products by title (search) or by shop (drafts and held ones too), each with Unpublish and Release. */
export function ProductsPage(props: {
  frame: Frame;
  filters: ProductFilters;
  products: ReadonlyArray<Product> | null;
  nextCursor: string | null;
  first: boolean;
  answer: ProductAnswer;
}) {
  const base = filterParams(props.filters);
  return (
    <OfficeLayout
      {...props.frame}
      title="Products"
      lead="Take a product off the storefront, with a reason its seller reads."
      notice={props.answer.notice}
    >
      <ErrorSummary errors={props.answer.errors} />
      {props.answer.conflict ? (
        <div class="error-summary" role="alert">
          <h2>Someone got there first</h2>
          <p>{props.answer.conflict}. Nothing was changed.</p>
        </div>
      ) : null}
      <ProductSearch filters={props.filters} errors={props.answer.errors} />
      {props.products === null ? (
        <p>Look up published products by words of the title, or every product of a shop (drafts and held ones too) by its web address.</p>
      ) : props.products.length === 0 ? (
        <p class="empty">No product matches.</p>
      ) : (
        <ul class="moderation-products">
          {props.products.map((p) => (
            <ProductRow key={p.id} product={p} filters={props.filters} errors={props.answer.errors} reason={props.answer.reason ?? ''} />
          ))}
        </ul>
      )}
      <Pager
        firstHref={hrefWith('/console/products', base)}
        nextHref={props.nextCursor ? hrefWith('/console/products', [...base, ['cursor', props.nextCursor]]) : null}
        onFirstPage={props.first}
        label="Pages of products"
      />
    </OfficeLayout>
  );
}
