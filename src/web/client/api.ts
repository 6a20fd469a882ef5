import createClient from 'openapi-fetch';
import type { paths } from '../api/schema.gen.ts';

/**
 * The islands' client for Atelier's JSON API, typed from the OpenAPI document by openapi-typescript
 * (api/schema.gen.ts, `npm run api:types`): a path, its parameters, body and every answer are
 * checked against what the server publishes, so a changed route breaks the build, not a seller's
 * page. Same origin, with the session cookie the pages signed in with.
 *
 * An answer that is not 2xx comes back as `error` (the API's `{ error: { code, message, field } }`),
 * for the island to show next to the field at fault.
 */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

/** The message an island shows for a failed call: the API's own, or what went wrong on the way. */
export function problemOf(error: unknown): { message: string; field?: string | undefined; code?: string | undefined } {
  const e = (error as { error?: { message?: unknown; field?: unknown; code?: unknown } } | undefined)?.error;
  if (e && typeof e.message === 'string') {
    return {
      message: e.message,
      field: typeof e.field === 'string' ? e.field : undefined,
      code: typeof e.code === 'string' ? e.code : undefined,
    };
  }
  return { message: 'That did not reach Atelier. Check the connection and try again.' };
}
