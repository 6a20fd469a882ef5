import { DomainError } from '../../shared/errors.ts';

/** The webhooks module's error catalogue: stable codes and kinds (never HTTP statuses). */
export const webhooksErrors = {
  badUrl: (message: string) => new DomainError('invalid', 'WEBHOOKS_BAD_URL', message, 'body.url'),
  addressNotAllowed: (message: string) => new DomainError('invalid', 'WEBHOOKS_ADDRESS_NOT_ALLOWED', message, 'body.url'),
  unresolvable: (host: string) =>
    new DomainError('invalid', 'WEBHOOKS_URL_UNRESOLVABLE', `The host "${host}" does not resolve to an address`, 'body.url'),
  tooManyEndpoints: (max: number) =>
    new DomainError('conflict', 'WEBHOOKS_TOO_MANY_ENDPOINTS', `A seller can register at most ${max} webhook endpoints`, undefined, {
      max,
    }),
  endpointNotFound: () => new DomainError('not_found', 'WEBHOOKS_ENDPOINT_NOT_FOUND', 'No such webhook endpoint'),
  deliveryNotFound: () => new DomainError('not_found', 'WEBHOOKS_DELIVERY_NOT_FOUND', 'No such delivery for this endpoint'),
  notRedeliverable: (why: string) => new DomainError('conflict', 'WEBHOOKS_NOT_REDELIVERABLE', why),
};
