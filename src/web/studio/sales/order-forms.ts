import type { FastifyRequest } from 'fastify';
import { SHIPMENT_FIELDS, type MoveInput } from '../../../modules/orders/index.ts';
import { isDomainError } from '../../../shared/errors.ts';
import { formField, type FieldError } from '../../forms.ts';

/** The move form's post, checked by the rules the API's schema holds (SHIPMENT_FIELDS, orders/fulfilment/schemas.ts). */
export type MoveRequest =
  Readonly<{ ok: true; input: MoveInput }> | Readonly<{ ok: false; errors: FieldError[]; values: Record<string, string> }>;

const { carrier: CARRIER_RULE, trackingNumber: NUMBER_RULE, trackingUrl: URL_RULE } = SHIPMENT_FIELDS;
// JSON Schema patterns are read as Unicode regular expressions, as the API's validator reads them.
const CARRIER = new RegExp(CARRIER_RULE.pattern, 'u');
const TRACKING_NUMBER = new RegExp(NUMBER_RULE.pattern, 'u');
const TRACKING_URL = new RegExp(URL_RULE.pattern, 'u');

export function readMoveForm(request: FastifyRequest): MoveRequest {
  const to = formField(request, 'to');
  if (to === 'fulfilled' || to === 'delivered') return { ok: true, input: { to } };
  if (to !== 'shipped') return { ok: false, errors: [{ field: 'carrier', message: 'Choose what happened to the parcel' }], values: {} };
  const carrier = formField(request, 'carrier').trim();
  const trackingNumber = formField(request, 'trackingNumber').trim();
  const trackingUrl = formField(request, 'trackingUrl').trim();
  const values = { carrier, 'tracking-number': trackingNumber, 'tracking-url': trackingUrl };
  const errors: FieldError[] = [];
  if (carrier && (carrier.length > CARRIER_RULE.maxLength || !CARRIER.test(carrier)))
    errors.push({ field: 'carrier', message: `Enter the carrier in at most ${CARRIER_RULE.maxLength} characters` });
  if (!carrier && (trackingNumber || trackingUrl)) errors.push({ field: 'carrier', message: 'Enter the carrier of this tracking number' });
  if (trackingNumber && (trackingNumber.length > NUMBER_RULE.maxLength || !TRACKING_NUMBER.test(trackingNumber))) {
    errors.push({
      field: 'tracking-number',
      message: 'Enter the tracking number as the carrier gave it: letters, digits, spaces, . _ / -',
    });
  }
  if (trackingUrl && (trackingUrl.length > URL_RULE.maxLength || !TRACKING_URL.test(trackingUrl))) {
    errors.push({ field: 'tracking-url', message: 'Enter a link starting with https://' });
  }
  if (errors.length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    input: {
      to: 'shipped',
      ...(carrier ? { carrier } : {}),
      ...(trackingNumber ? { trackingNumber } : {}),
      ...(trackingUrl ? { trackingUrl } : {}),
    },
  };
}

/** A module's refusal of a move as a field error (the carrier rules), or null for the error page. */
export function moveRefusal(err: unknown): FieldError[] | null {
  if (!isDomainError(err) || err.kind !== 'invalid') return null;
  const field = err.field?.includes('tracking') ? (err.field.includes('Url') ? 'tracking-url' : 'tracking-number') : 'carrier';
  return [{ field, message: err.message }];
}

/** What the page says after a move or a refund (post/redirect/get: `?done=`). */
export const DONE_NOTICES: Readonly<Record<string, string>> = {
  fulfilled: 'Marked fulfilled: the order is packed.',
  shipped: 'Marked shipped: the buyer has been emailed.',
  delivered: 'Marked delivered: the buyer has been emailed.',
  refunded: 'Refunded: the buyer has been emailed the amount.',
  replayed: 'That refund was already made; nothing more was refunded.',
};
