import { Type } from '@sinclair/typebox';
import { MAX_ALT_LENGTH } from './media.service.ts';

export { ErrorResponseSchema as ErrorResponse } from '../../platform/http/schemas.ts';

export const ShopImageParams = Type.Object(
  { slot: Type.Union([Type.Literal('logo'), Type.Literal('banner')]) },
  { additionalProperties: false },
);
export const ProductParams = Type.Object({ id: Type.String({ format: 'uuid', maxLength: 36 }) }, { additionalProperties: false });

export const ProductImageParams = Type.Object(
  { id: Type.String({ format: 'uuid', maxLength: 36 }), imageId: Type.String({ format: 'uuid', maxLength: 36 }) },
  { additionalProperties: false },
);

/**
 * The multipart body, for the OpenAPI document only: the route streams the parts itself (a JSON
 * schema cannot check a file) and enforces the same rules in media.upload.ts and the service.
 */
export const UploadBody = Type.Object(
  {
    image: Type.String({ format: 'binary', description: 'JPEG, PNG, WebP, AVIF or GIF; the type is read from the content' }),
    alt: Type.Optional(Type.String({ maxLength: MAX_ALT_LENGTH, description: 'Text alternative for screen readers' })),
  },
  { additionalProperties: false },
);

export const ImageAccepted = Type.Object(
  {
    image: Type.Object({ id: Type.String({ format: 'uuid' }), status: Type.Literal('processing') }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

const Urls = Type.Object(
  { thumb: Type.String({ maxLength: 200 }), card: Type.String({ maxLength: 200 }), full: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);

export const ImageView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    productId: Type.String({ format: 'uuid' }),
    alt: Type.String({ maxLength: MAX_ALT_LENGTH }),
    status: Type.Union([Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')]),
    width: Type.Union([Type.Integer(), Type.Null()]),
    height: Type.Union([Type.Integer(), Type.Null()]),
    urls: Type.Union([Urls, Type.Null()]),
    error: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const ImageList = Type.Object({ images: Type.Array(ImageView, { maxItems: 100 }) }, { additionalProperties: false });

export const MediaFileParams = Type.Object(
  { file: Type.String({ maxLength: 255, description: '<sha256>.webp' }) },
  { additionalProperties: false },
);

export const MediaFile = {
  description: 'The image, WebP',
  content: { 'image/webp': { schema: Type.String({ format: 'binary' }) } },
} as const;

export const UpdateImageBody = Type.Object(
  {
    alt: Type.Optional(Type.String({ maxLength: MAX_ALT_LENGTH, description: 'Text alternative for screen readers' })),
    position: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1000,
        description: "Where the image goes in the product's order: 0 is first; past the end is last",
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
