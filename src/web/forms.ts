import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The most a page form may send: addresses and credentials are small. */
const FORM_BODY_LIMIT = 16 * 1024;

/**
 * Lets the page routes of `app` read HTML form posts (`application/x-www-form-urlencoded`) as a
 * flat object of strings (a repeated name keeps its last value). Installed once per plugin scope;
 * a scope that already has a parser (another page area's) keeps it.
 */
export function acceptForms(app: FastifyInstance): void {
  if (app.hasContentTypeParser('application/x-www-form-urlencoded')) return;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => {
      const fields: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const [name, value] of new URLSearchParams(body as string)) fields[name] = value;
      done(null, fields);
    },
  );
}

/** A posted form's field as text ('' when absent or not text). */
export function formField(request: FastifyRequest, name: string): string {
  const body = request.body as Record<string, unknown> | null | undefined;
  const value = body && typeof body === 'object' ? body[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/** A query string parameter as text ('' when absent or repeated). */
export function queryField(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/**
 * Where to send the person after signing in: only a path on this site (`/checkout`,
 * `/account/orders?cursor=x`). Anything else (`https://evil.example`, `//evil.example`,
 * `/\evil.example`, `javascript:`) is an open redirect waiting to happen and gives `fallback`.
 */
export function safeReturnPath(next: string, fallback = '/account'): string {
  if (next.length === 0 || next.length > 500 || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  // Control characters and backslashes are read differently by different browsers.
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  const base = 'http://same.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  // Dot segments can normalise into a protocol-relative path (`/.//evil.example` -> `//evil.example`).
  if (url.pathname.startsWith('//')) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The query string that carries a return path on to the next page, or '' for the default. */
export function nextQuery(next: string, fallback = '/account'): string {
  const path = safeReturnPath(next, fallback);
  return path === fallback ? '' : `?next=${encodeURIComponent(path)}`;
}

/** A problem with one field of a form: its input's id and what to do about it. */
export type FieldError = Readonly<{ field: string; message: string }>;

/** The message for `field`, if the form has one. */
export const errorFor = (errors: readonly FieldError[], field: string) => errors.find((e) => e.field === field)?.message;
