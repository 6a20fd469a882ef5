import type { ComponentChildren } from 'preact';
import { Document, type SiteContext } from '../components/document.tsx';

/** The two back offices, each with its own sections; `path` is the section's page. */
export type OfficeName = 'studio' | 'console';
type Section = Readonly<{ path: string; label: string }>;

export const SECTIONS: Readonly<Record<OfficeName, ReadonlyArray<Section>>> = {
  studio: [
    { path: '/studio', label: 'Overview' },
    { path: '/studio/shop', label: 'Shop' },
    { path: '/studio/products', label: 'Products' },
    { path: '/studio/stock', label: 'Stock' },
    { path: '/studio/orders', label: 'Orders' },
    { path: '/studio/reports', label: 'Reports' },
    { path: '/studio/webhooks', label: 'Webhooks' },
  ],
  console: [
    { path: '/console', label: 'Now' },
    { path: '/console/shops', label: 'Shops' },
    { path: '/console/products', label: 'Products' },
    { path: '/console/accounts', label: 'Accounts' },
    { path: '/console/orders', label: 'Orders' },
    { path: '/console/jobs', label: 'Jobs' },
    { path: '/console/data', label: 'Data' },
    { path: '/console/audit', label: 'Audit log' },
  ],
};

const OFFICE_TITLE: Readonly<Record<OfficeName, string>> = { studio: 'Studio', console: 'Console' };

/** The section a path belongs to: the longest section path it starts with. */
function currentSection(office: OfficeName, path: string): string | undefined {
  return SECTIONS[office].filter((s) => path === s.path || path.startsWith(`${s.path}/`)).sort((a, b) => b.path.length - a.path.length)[0]
    ?.path;
}

/**
 * The frame of every studio and console page: skip link, a header naming the office and who is
 * signed in, the office's sections (the current one marked with aria-current), and the page. The
 * same document and styles as the storefront; never indexed, never cached (sendPrivatePage).
 */
export function OfficeLayout(props: {
  site: SiteContext;
  office: OfficeName;
  /** The page's title (also its h1, unless `heading` says otherwise). */
  title: string;
  /** The page's path, for the canonical link and the current section. */
  path: string;
  /** Who is signed in, shown in the header. */
  who: string;
  /** A line under the heading. */
  lead?: ComponentChildren;
  /** A status message shown above the page, announced to screen readers (`?done=` answers). */
  notice?: string | undefined;
  children: ComponentChildren;
}) {
  const current = currentSection(props.office, props.path);
  const office = OFFICE_TITLE[props.office];
  return (
    <Document
      site={{ ...props.site, script: props.site.office.script }}
      moreStylesheets={[props.site.office.stylesheet]}
      meta={{ title: `${props.title} · ${office}`, description: `${props.site.siteName} ${office}`, path: props.path, noindex: true }}
      bodyClass="office"
    >
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header office-header">
        <div class="wrap header-row">
          <a class="brand" href={SECTIONS[props.office][0]!.path}>
            {props.site.siteName} <span class="office-name">{office}</span>
          </a>
          <p class="office-who">
            Signed in as {props.who} · <a href="/">Storefront</a> · <a href="/account">Account</a>
          </p>
        </div>
        <nav class="wrap office-nav" aria-label={`${office} sections`}>
          <ul>
            {SECTIONS[props.office].map((s) => (
              <li key={s.path}>
                <a href={s.path} aria-current={s.path === current ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" class="wrap office-main" tabIndex={-1}>
        {props.notice ? (
          <p class="notice" role="status">
            {props.notice}
          </p>
        ) : null}
        <div class="page-heading">
          <h1>{props.title}</h1>
          {props.lead ? <p class="lead">{props.lead}</p> : null}
        </div>
        {props.children}
      </main>
    </Document>
  );
}
