import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * The one error body every route answers with (built by app/http-errors.ts). Routes list it under
 * their 4xx/5xx responses; one definition keeps the serializer from dropping a field in any module.
 */
export const ErrorResponseSchema = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String(),
        message: Type.String(),
        field: Type.Optional(Type.String()),
        details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'Error' },
);
export type ErrorResponse = Static<typeof ErrorResponseSchema>;

/** The 304 a public cached route answers when the client's ETag still matches. */
export const NotModifiedResponse = { 304: Type.Null({ description: 'Not modified (ETag matched)' }) } as const;

type HeaderDoc = Readonly<{ type: 'string' | 'integer'; description: string }>;

/** Response headers a route sets, as the OpenAPI document declares them (on a `response` entry, `headers`). */
export const RESPONSE_HEADERS = {
  setCookie: { type: 'string', description: 'Sets or clears a cookie (the session, or the guest cart)' },
  location: { type: 'string', description: 'Where the created or accepted resource can be read' },
} as const satisfies Record<string, HeaderDoc>;

/**
 * A JSON answer that also declares the headers it carries, in the response's content form (which
 * Fastify serialises with `schema` and @fastify/swagger documents with its `headers`).
 */
export function jsonWithHeaders<T extends TSchema>(schema: T, headers: Readonly<Record<string, HeaderDoc>>, description?: string) {
  return { description: description ?? schema.description ?? 'OK', headers, content: { 'application/json': { schema } } } as const;
}
