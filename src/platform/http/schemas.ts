import { Type, type Static } from '@sinclair/typebox';

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
