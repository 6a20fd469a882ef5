import { DomainError } from '../../shared/errors.ts';
import { MAX_SIDE } from './media.images.ts';

/** Every error the media module raises, by code. */
export const mediaErrors = {
  imageRequired: () =>
    new DomainError('invalid', 'MEDIA_IMAGE_REQUIRED', 'Send the image as a multipart file field named "image"', 'body.image'),
  unknownField: (name: string) => new DomainError('invalid', 'MEDIA_UNKNOWN_FIELD', `Unknown field "${name}"`, `body.${name}`),
  altTooLong: (max: number) =>
    new DomainError('invalid', 'MEDIA_ALT_TOO_LONG', `The alt text may be at most ${max} characters`, 'body.alt'),
  unsupportedType: () =>
    new DomainError('unsupported_media', 'MEDIA_UNSUPPORTED_TYPE', 'Upload a JPEG, PNG, WebP, AVIF or GIF image', 'body.image'),
  unreadable: () => new DomainError('unprocessable', 'MEDIA_IMAGE_UNREADABLE', 'The image could not be read', 'body.image'),
  dimensionsTooLarge: () =>
    new DomainError('unprocessable', 'MEDIA_IMAGE_DIMENSIONS_TOO_LARGE', `Images may be at most ${MAX_SIDE} pixels a side`, 'body.image'),
  fileTooLarge: (maxBytes: number) =>
    new DomainError('too_large', 'MEDIA_FILE_TOO_LARGE', `The image may be at most ${maxBytes} bytes`, 'body.image', { maxBytes }),
  tooManyImages: (max: number) => new DomainError('conflict', 'MEDIA_TOO_MANY_IMAGES', `A product may have at most ${max} images`),
  imageNotFound: () => new DomainError('not_found', 'MEDIA_IMAGE_NOT_FOUND', 'This product has no such image'),
  shopRequired: () => new DomainError('not_found', 'CATALOG_SHOP_NOT_FOUND', 'Open a shop before giving it a logo or banner'),
  fileNotFound: () => new DomainError('not_found', 'MEDIA_NOT_FOUND', 'No such media file'),
};
