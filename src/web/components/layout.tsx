import type { ComponentChildren } from 'preact';
import AccountSummary from '../islands/account-summary.tsx';
import SearchSuggest from '../islands/search-suggest.tsx';
import { Document, type PageMeta, type SiteContext } from './document.tsx';
import { Island } from './island.tsx';

/**
 * The storefront's frame: skip link, header (name, search, the visitor's links), main, footer.
 * Nothing personal is rendered here: the account and cart links are an island that fills itself in.
 */
export function Layout(props: { site: SiteContext; meta: PageMeta; children: ComponentChildren; query?: string }) {
  return (
    <Document site={props.site} meta={props.meta}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <div class="wrap header-row">
          <a class="brand" href="/">
            {props.site.siteName}
          </a>
          <form class="search-form" role="search" action="/search" method="get">
            <label for="site-search" class="visually-hidden">
              Search handmade goods
            </label>
            <Island name="search-suggest" component={SearchSuggest} props={{ query: props.query ?? '' }} />
            <button type="submit">Search</button>
          </form>
          <nav aria-label="Your account">
            <Island name="account-summary" component={AccountSummary} props={{ initial: { name: null, cartCount: 0 } }} />
          </nav>
        </div>
      </header>
      <main id="main" class="wrap" tabIndex={-1}>
        {props.children}
      </main>
      <footer class="site-footer">
        <div class="wrap">
          <p>
            {props.site.siteName}: things made by hand, sold by the people who make them. <a href="/products">Browse everything</a>
          </p>
        </div>
      </footer>
    </Document>
  );
}

/** A page's own heading and a line under it. */
export function PageHeading(props: { title: string; lead?: ComponentChildren }) {
  return (
    <div class="page-heading">
      <h1>{props.title}</h1>
      {props.lead ? <p class="lead">{props.lead}</p> : null}
    </div>
  );
}

/** GOV.UK's error summary: every problem at the top of the form, each linking to its field. */
export function ErrorSummary(props: { errors: ReadonlyArray<{ field: string; message: string }> }) {
  if (props.errors.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabIndex={-1}>
      <h2>There is a problem</h2>
      <ul>
        {props.errors.map((e) => (
          <li key={e.field}>
            <a href={`#${e.field}`}>{e.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}
