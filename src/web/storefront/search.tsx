import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SearchPage as SearchValue } from '../../modules/search/index.ts';
import { isDomainError } from '../../shared/errors.ts';
import { ErrorSummary, Layout, PageHeading } from '../components/layout.tsx';
import { hrefWith, Pager } from '../components/pager.tsx';
import { ProductGrid } from '../components/product-card.tsx';
import { sendPrivatePage, sendPublicPage } from '../html.ts';
import { param, type FieldError } from './browse-input.ts';
import type { StorefrontDeps } from './site.ts';

export const SEARCH_PAGE_SIZE = 24;
/** The API's bound on `q` (search.routes.ts): longer text is refused there too. */
const MAX_QUERY = 200;

type SearchView = Readonly<{
  q: string;
  cursor: string;
  result: SearchValue | null;
  errors: ReadonlyArray<FieldError>;
  /** The full-text query is over its budget and there is no later page to give. */
  busy?: boolean;
}>;

function SearchPage(props: { deps: StorefrontDeps; view: SearchView }) {
  const { site } = props.deps;
  const { q, cursor, result, errors } = props.view;
  const firstPage = cursor === '';
  const title = q ? `Search results for “${q}”` : 'Search';
  return (
    <Layout
      site={site}
      query={q}
      // The first page of results for a query may be indexed (its canonical is `/search?q=`, a
      // useful landing page, and the storefront's SEO budget counts it); later pages and the empty
      // search are kept out (an endless space of thin pages); links are still followed.
      meta={{
        title,
        description: q ? `Handmade goods matching “${q}” on ${site.siteName}.` : `Search the handmade goods on ${site.siteName}.`,
        path: q ? hrefWith('/search', [['q', q]]) : '/search',
        noindex: !q || !firstPage,
      }}
    >
      <PageHeading title={title} />
      <ErrorSummary errors={errors} />
      {!q && errors.length === 0 ? (
        <form class="card" method="get" action="/search" role="search" aria-label="Search the shop">
          <div class="field">
            <label for="q">What are you looking for?</label>
            <input id="q" name="q" type="search" />
            <p class="hint">A word or two, like “mug” or “linen apron”.</p>
          </div>
          <button type="submit">Search</button>
        </form>
      ) : null}
      {props.view.busy ? (
        <p class="notice warn" role="status">
          Search is very busy right now, so we cannot show more results.{' '}
          <a href={hrefWith('/search', [['q', q]])}>Show the first results</a> or try again in a moment.
        </p>
      ) : null}
      {result?.degraded ? (
        <p class="notice warn" role="status">
          Search is busy: these are products whose titles match. Try again in a moment for the full results.
        </p>
      ) : null}
      {result && q ? (
        result.items.length > 0 ? (
          <section id="results" aria-labelledby="results-heading">
            <h2 id="results-heading" class="visually-hidden">
              Results
            </h2>
            <p class="result-count" role="status">
              {firstPage
                ? result.nextCursor
                  ? `The best ${result.items.length} matches; more on the next page`
                  : `${result.items.length} ${result.items.length === 1 ? 'match' : 'matches'}`
                : `${result.items.length} more ${result.items.length === 1 ? 'match' : 'matches'}`}
            </p>
            <ProductGrid
              products={result.items.map((i) => ({ ...i, image: i.image ? { alt: i.image.alt, urls: i.image.urls } : null }))}
              eagerCount={firstPage ? 4 : 0}
              label="Search results"
            />
            <Pager
              firstHref={hrefWith('/search', [['q', q]])}
              nextHref={
                result.nextCursor
                  ? hrefWith('/search', [
                      ['q', q],
                      ['cursor', result.nextCursor],
                    ])
                  : null
              }
              onFirstPage={firstPage}
              label="Pages of results"
            />
          </section>
        ) : (
          <div class="empty-state" id="results">
            <h2>Nothing matches “{q}”</h2>
            <p>
              Check the spelling, try a shorter or more general word, or <a href="/products">browse everything</a>.
            </p>
          </div>
        )
      ) : null}
    </Layout>
  );
}

/**
 * `/search?q=&cursor=`: the search module's cached pages (the same ranking and cache as GET
 * /api/v1/search). Cached for everyone under the result's version (which also depends on the
 * query) and the query and cursor shown. A bad cursor or a too long query is a 400 page with a message.
 */
export async function searchPage(deps: StorefrontDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const q = param(request, 'q').replace(/\s+/g, ' ');
  const cursor = param(request, 'cursor');
  const refuse = (view: SearchView, status: number) => sendPrivatePage(request, reply, <SearchPage deps={deps} view={view} />, status);
  if (q.length > MAX_QUERY) {
    return refuse(
      {
        q: q.slice(0, MAX_QUERY),
        cursor: '',
        result: null,
        errors: [{ field: 'site-search', message: `Search for at most ${MAX_QUERY} characters` }],
      },
      400,
    );
  }
  if (!q) {
    const page = deps.pages.get('search|empty', () => <SearchPage deps={deps} view={{ q: '', cursor: '', result: null, errors: [] }} />);
    return sendPublicPage(request, reply, page, deps.httpCache);
  }
  let read;
  try {
    read = await deps.search.reads.searchPage(q, SEARCH_PAGE_SIZE, cursor || undefined);
  } catch (err) {
    if (!isDomainError(err)) throw err;
    if (err.kind === 'invalid') {
      const message = 'That page link is broken or belongs to another search. Start again from the first results.';
      return refuse({ q, cursor: '', result: null, errors: [{ field: 'site-search', message }] }, 400);
    }
    if (err.kind === 'unavailable') {
      void reply.header('retry-after', '5');
      return refuse({ q, cursor, result: null, errors: [], busy: true }, 503);
    }
    throw err;
  }
  const value = read.value;
  const page = deps.pages.get(`search|${read.version}|${q}|${cursor}`, () => (
    <SearchPage deps={deps} view={{ q, cursor, result: value, errors: [] }} />
  ));
  return sendPublicPage(request, reply, page, deps.httpCache, { stale: read.stale === true, degraded: read.degraded === true });
}
