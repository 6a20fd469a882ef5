import { Type } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;

export const SearchQuerystring = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 100, description: 'Words to find; the last one also matches as a prefix' }),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  closed,
);

const Image = Type.Object(
  {
    id: Type.String(),
    alt: Type.String(),
    urls: Type.Object({ thumb: Type.String(), card: Type.String(), full: Type.String() }, closed),
  },
  closed,
);

export const SearchResultSchema = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          id: Type.String({ format: 'uuid' }),
          title: Type.String(),
          shopSlug: Type.String(),
          shopName: Type.String(),
          priceMin: Type.Object({ amount: Type.Integer(), currency: Type.String() }, closed),
          image: Type.Union([Image, Type.Null()]),
        },
        closed,
      ),
    ),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
    degraded: Type.Optional(
      Type.Boolean({
        description:
          'Present (true) when the ranked query ran out of time and a simpler title-only match answered: no ranking, no later pages',
      }),
    ),
  },
  closed,
);

export { ErrorResponseSchema as ErrorSchema } from '../../platform/http/schemas.ts';
