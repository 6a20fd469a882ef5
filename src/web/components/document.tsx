import type { ComponentChildren } from 'preact';

/** What search engines and link previews read of a page. `path` is the canonical path on this site. */
export type PageMeta = Readonly<{
  title: string;
  description: string;
  path: string;
  /** An absolute or site-relative image for link previews. */
  image?: string;
  /** Open Graph type: `website` unless said (`product` on product pages). */
  type?: string;
  /** Structured data (schema.org), written as JSON-LD. */
  jsonLd?: Readonly<Record<string, unknown>>;
  /** More Open Graph properties for this type, e.g. `['product:price:amount', '12.50']`. */
  openGraph?: ReadonlyArray<readonly [string, string]>;
  /**
   * The page's largest picture (its largest contentful paint), asked for from the head, before
   * the stylesheet and script, instead of when the parser reaches the `<img>`.
   */
  preloadImage?: Readonly<{ srcset: string; sizes: string }>;
  /** Pages for one person (cart, checkout, account) are kept out of search results. */
  noindex?: boolean;
}>;

/** Where the document's links point: the site's public origin and its built files. */
export type SiteContext = Readonly<{
  siteName: string;
  /** `https://atelier.example`, no trailing slash (PUBLIC_URL). */
  publicUrl: string;
  stylesheet: string;
  /** The islands' script; '' for a page with none (the busy page: no extra requests to an overloaded server). */
  script: string;
  /** The studio's and the console's own script and styles (back-office/frame.tsx links them). */
  office: Readonly<{ script: string; stylesheet: string }>;
}>;

/**
 * JSON for a `<script type="application/ld+json">` block: `<` is escaped so no text inside (a
 * product title with `</script>`) can close the block. Not executed, so the CSP does not apply.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The site's icon as a data URL (the CSP allows `data:` images): no request for it, and no
 * `/favicon.ico` 404 in every browser's console.
 */
export const FAVICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#7a3e1d"/><text x="16" y="23" font-family="Georgia,serif" font-size="20" font-weight="700" text-anchor="middle" fill="#fbf8f3">A</text></svg>',
)}`;

const absolute = (site: SiteContext, url: string) => (/^https?:\/\//.test(url) ? url : `${site.publicUrl}${url}`);

/** The whole HTML document: head (title, description, canonical, Open Graph, JSON-LD, assets) and body. */
export function Document(props: {
  site: SiteContext;
  meta: PageMeta;
  children: ComponentChildren;
  bodyClass?: string;
  /** Styles linked after the site's (the back office's own). */
  moreStylesheets?: ReadonlyArray<string>;
}) {
  const { site, meta } = props;
  const title = meta.title === site.siteName ? meta.title : `${meta.title} · ${site.siteName}`;
  const canonical = absolute(site, meta.path);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <meta name="description" content={meta.description} />
        {meta.noindex ? <meta name="robots" content="noindex" /> : null}
        <link rel="canonical" href={canonical} />
        <meta property="og:site_name" content={site.siteName} />
        <meta property="og:title" content={meta.title} />
        <meta property="og:description" content={meta.description} />
        <meta property="og:type" content={meta.type ?? 'website'} />
        <meta property="og:url" content={canonical} />
        {meta.image ? <meta property="og:image" content={absolute(site, meta.image)} /> : null}
        {meta.openGraph?.map(([property, content]) => (
          <meta key={property} property={property} content={content} />
        ))}
        <meta name="theme-color" content="#7a3e1d" />
        <link rel="icon" href={FAVICON} />
        {meta.preloadImage ? (
          // Preact's types lack `imagesizes`; the attributes are HTML's own, written as such.
          <link
            rel="preload"
            as="image"
            fetchpriority="high"
            {...{ imagesrcset: meta.preloadImage.srcset, imagesizes: meta.preloadImage.sizes }}
          />
        ) : null}
        <link rel="stylesheet" href={site.stylesheet} />
        {props.moreStylesheets?.map((href) => (
          <link key={href} rel="stylesheet" href={href} />
        ))}
        {site.script ? <script type="module" src={site.script} /> : null}
        {meta.jsonLd ? <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: jsonForScript(meta.jsonLd) }} /> : null}
      </head>
      <body class={props.bodyClass}>{props.children}</body>
    </html>
  );
}
