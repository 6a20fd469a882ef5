/**
 * Keyset pagination as plain links (works without JavaScript): "first page" when not on it, "next
 * page" when there is one. A keyset cursor has no page numbers and no "previous" (the catalog's
 * cursors only go forward); the first page is one link away.
 */
export function Pager(props: { firstHref: string; nextHref: string | null; onFirstPage: boolean; label?: string }) {
  if (props.onFirstPage && !props.nextHref) return null;
  return (
    <nav class="pager" aria-label={props.label ?? 'Pages'}>
      {props.onFirstPage ? (
        <span />
      ) : (
        <a class="button secondary" href={props.firstHref}>
          <span aria-hidden="true">« </span>First page
        </a>
      )}
      {props.nextHref ? (
        <a class="button" href={props.nextHref} rel="next">
          Next page<span aria-hidden="true"> »</span>
        </a>
      ) : null}
    </nav>
  );
}

/** `path?k=v&…` from the values that are set, in a stable order (cache- and canonical-friendly). */
export function hrefWith(path: string, params: ReadonlyArray<readonly [string, string | number | undefined | null]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of params) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
