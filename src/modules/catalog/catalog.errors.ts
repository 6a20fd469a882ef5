import { DomainError } from '../../shared/errors.ts';

/** The catalog's coded errors. Kinds, not statuses: app/http-errors.ts maps them. */
export const catalogErrors = {
  productNotFound: () => new DomainError('not_found', 'CATALOG_PRODUCT_NOT_FOUND', 'No such product'),
  variantNotFound: () => new DomainError('not_found', 'CATALOG_VARIANT_NOT_FOUND', 'No such variant'),
  shopNotFound: () => new DomainError('not_found', 'CATALOG_SHOP_NOT_FOUND', 'No such shop'),
  notOwner: () => new DomainError('forbidden', 'CATALOG_NOT_OWNER', 'Only the owner of this shop may change it'),
  shopRequired: () => new DomainError('conflict', 'CATALOG_SHOP_REQUIRED', 'Open a shop before listing products'),
  shopExists: () => new DomainError('conflict', 'CATALOG_SHOP_EXISTS', 'This seller already has a shop'),
  shopSlugTaken: () => new DomainError('conflict', 'CATALOG_SHOP_SLUG_TAKEN', 'That shop address is taken', 'body.slug'),
  categorySlugTaken: () => new DomainError('conflict', 'CATALOG_CATEGORY_SLUG_TAKEN', 'That category slug is taken', 'body.slug'),
  categoryNotFound: (field: string) => new DomainError('invalid', 'CATALOG_CATEGORY_NOT_FOUND', 'No such category', field),
  duplicateSku: (field: string) =>
    new DomainError('invalid', 'CATALOG_DUPLICATE_SKU', 'Each variant of a product needs its own SKU', field),
  skuTaken: (field: string) => new DomainError('conflict', 'CATALOG_SKU_TAKEN', 'This product already has a variant with that SKU', field),
  tooManyVariants: (max: number) =>
    new DomainError('conflict', 'CATALOG_TOO_MANY_VARIANTS', `A product has at most ${max} variants`, undefined, { max }),
  invalidCursor: () => new DomainError('invalid', 'CATALOG_INVALID_CURSOR', 'The cursor is malformed or was altered', 'querystring.cursor'),
  invalidPriceRange: () =>
    new DomainError('invalid', 'CATALOG_INVALID_PRICE_RANGE', 'minPrice must not exceed maxPrice', 'querystring.minPrice'),
  productHeld: (reason: string) =>
    new DomainError(
      'conflict',
      'CATALOG_PRODUCT_HELD',
      `The marketplace unpublished this product: ${reason}. It can be published again once the hold is lifted`,
      'body.status',
      { reason },
    ),
  /** An operator's move the shop's current status does not allow (approving an active shop, reinstating a pending one). */
  shopStatusConflict: (status: string, wanted: string) =>
    new DomainError('conflict', 'CATALOG_SHOP_STATUS_CONFLICT', `The shop is ${status}: it cannot be ${wanted}`, undefined, { status }),
  productNotHeld: () => new DomainError('conflict', 'CATALOG_PRODUCT_NOT_HELD', 'The marketplace holds nothing on this product'),
  invalidCurrency: () => new DomainError('invalid', 'CATALOG_INVALID_CURRENCY', 'Unknown currency', 'body.currency'),
};
