import type { FastifyInstance } from 'fastify';
import type { Product, SellerProductQuery } from '../../../modules/catalog/index.ts';
import { isDomainError } from '../../../shared/errors.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { officePage, whoOf } from '../../back-office/guard.tsx';
import { formatDate, formatMoney } from '../../format.ts';
import { queryField } from '../../forms.ts';
import { seeOther, sendPrivatePage } from '../../html.ts';
import { productStatusWords, statusClass } from './common.tsx';

const PER_PAGE = 25;
const STATUSES = [
  ['', 'Any status'],
  ['draft', 'Draft'],
  ['published', 'Published'],
  ['unpublished', 'Unpublished by the operator'],
] as const;
type StatusFilter = NonNullable<SellerProductQuery['status']>;

function Filters(props: { q: string; status: string }) {
  return (
    <form method="get" action="/studio/products" class="filters" role="search" aria-label="Your products">
      <div class="field">
        <label for="q">Search titles</label>
        <input id="q" name="q" type="search" value={props.q} maxLength={200} />
      </div>
      <div class="field">
        <label for="status">Status</label>
        <select id="status" name="status">
          {STATUSES.map(([value, label]) => (
            <option key={value} value={value} selected={value === props.status}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="secondary">
        Show
      </button>
    </form>
  );
}

function ProductRows(props: { products: readonly Product[] }) {
  if (props.products.length === 0) return <p>No products match. </p>;
  return (
    <table class="records">
      <caption class="visually-hidden">Your products</caption>
      <thead>
        <tr>
          <th scope="col">Title</th>
          <th scope="col">Status</th>
          <th scope="col" class="num">
            From
          </th>
          <th scope="col" class="num">
            Variants
          </th>
          <th scope="col">Changed</th>
        </tr>
      </thead>
      <tbody>
        {props.products.map((p) => {
          const words = productStatusWords(p);
          return (
            <tr key={p.id}>
              <td>
                <a href={`/studio/products/${p.id}`}>{p.title}</a>
              </td>
              <td>
                <span class={`status ${statusClass(words)}`}>{words}</span>
              </td>
              <td class="num">{formatMoney(p.priceMin)}</td>
              <td class="num">{p.variants.length}</td>
              <td>{formatDate(p.updatedAt)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function productsRoutes(deps: BackOfficeDeps) {
  return async (app: FastifyInstance) => {
    app.get(
      '/studio/products',
      { schema: { hide: true } },
      officePage(deps, 'studio', async (session, request, reply) => {
        const q = queryField(request, 'q').trim().slice(0, 200);
        const status = queryField(request, 'status');
        const cursor = queryField(request, 'cursor');
        const filter = STATUSES.some(([v]) => v !== '' && v === status) ? (status as StatusFilter) : undefined;
        // A cursor that does not decode is the module's `invalid`: start again from the first page.
        const page = await deps.catalog.service
          .sellerProducts(session.account.id, cursor || undefined, PER_PAGE, { ...(q ? { q } : {}), ...(filter ? { status: filter } : {}) })
          .catch((err: unknown) => {
            if (isDomainError(err) && err.kind === 'invalid') return null;
            throw err;
          });
        if (!page) return seeOther(reply, '/studio/products');
        const next = page.nextCursor
          ? `/studio/products?${new URLSearchParams({ q, status: filter ?? '', cursor: page.nextCursor })}`
          : null;
        return sendPrivatePage(
          request,
          reply,
          <OfficeLayout site={deps.site} office="studio" title="Products" path="/studio/products" who={whoOf(session)}>
            <p>
              <a class="button" href="/studio/products/new">
                Add a product
              </a>
            </p>
            <Filters q={q} status={filter ?? ''} />
            <ProductRows products={page.items} />
            {next ? (
              <p>
                <a href={next}>Next page</a>
              </p>
            ) : null}
          </OfficeLayout>,
        );
      }),
    );
  };
}
