import type { FastifyInstance, FastifyRequest } from 'fastify';

/** A posted HTML form: each field's last value (a field a page names once). */
export type FormFields = Readonly<Record<string, string>>;

/** Forms are small (a quantity, an address): anything bigger is not one of ours. */
const FORM_BODY_LIMIT = 16 * 1024;

/**
 * Lets the pages' routes read `application/x-www-form-urlencoded` bodies (what a `<form
 * method="post">` sends) as FormFields. Registered once on the storefront's plugin, so it does not
 * reach the JSON API.
 */
export function acceptForms(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => {
      const fields: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(body as string)) fields[k] = v;
      done(null, fields);
    },
  );
}

/** The posted fields, or none when the body was not a form. */
export function formOf(request: FastifyRequest): FormFields {
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  // A JSON body sent here by a program keeps only its text fields, as a form would have them.
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** A whole number as typed in a form field, or NaN (the domain then says what it wants). */
export function wholeNumber(text: string | undefined): number {
  const t = (text ?? '').trim();
  return /^\d{1,6}$/.test(t) ? Number(t) : Number.NaN;
}

/** Whether the caller asked for JSON (an island's fetch) rather than a page. */
export function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}
