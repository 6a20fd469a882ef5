import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CartView } from '../../modules/cart/index.ts';
import type { LiveSession } from '../../modules/identity/index.ts';
import { IDEMPOTENCY_KEY_RE, ShippingAddressSchema, type CheckoutShortLine, type ShippingAddress } from '../../modules/orders/index.ts';
import { countStrictLimits } from '../../platform/http/rate-limit.ts';
import { validatorCompiler } from '../../platform/http/validation.ts';
import { isDomainError } from '../../shared/errors.ts';
import { formField, type FieldError } from '../forms.ts';
import { seeOther, sendPrivatePage } from '../html.ts';
import type { StorefrontDeps } from '../storefront/site.ts';
import {
  CheckoutPage,
  CheckoutSignInPage,
  EMPTY_ADDRESS,
  EmptyCheckoutPage,
  lineAnchor,
  QueuedPage,
  type AddressForm,
} from './checkout-pages.tsx';

type Check = (value: unknown) => boolean;
const compile = (schema: unknown): Check =>
  validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '/' } as unknown as Parameters<typeof validatorCompiler>[0]) as Check;
// The address is checked field by field with the API's own schema, so every problem shows at once.
const addressChecks = Object.fromEntries(Object.entries(ShippingAddressSchema.properties).map(([k, s]) => [k, compile(s)])) as Record<
  keyof ShippingAddress,
  Check
>;
const ADDRESS_MESSAGES: Record<keyof ShippingAddress, string> = {
  name: 'Enter the full name of the person the order is for (up to 200 characters)',
  line1: 'Enter the first line of the address (up to 200 characters)',
  line2: 'The second line of the address must be 200 characters or fewer',
  city: 'Enter the town or city (up to 100 characters)',
  postalCode: 'Enter the postcode (up to 20 characters)',
  country: 'Enter the country as two letters, like GB or FR',
};
const ADDRESS_FIELDS = Object.keys(ADDRESS_MESSAGES) as Array<keyof ShippingAddress>;

function readAddress(request: FastifyRequest): AddressForm {
  const form = Object.fromEntries(ADDRESS_FIELDS.map((k) => [k, formField(request, k).trim()])) as Record<keyof ShippingAddress, string>;
  return { ...form, country: form.country.toUpperCase() };
}

function addressProblems(form: AddressForm): { address: ShippingAddress | null; errors: FieldError[] } {
  const errors = ADDRESS_FIELDS.filter((k) => !(k === 'line2' && form.line2 === '') && !addressChecks[k](form[k])).map((k) => ({
    field: k,
    message: ADDRESS_MESSAGES[k],
  }));
  if (errors.length > 0) return { address: null, errors };
  const { line2, ...rest } = form;
  return { address: line2 ? { ...rest, line2 } : rest, errors };
}

/** A new key for a new checkout attempt: the page renders it in a hidden field. */
const newKey = () => randomUUID();

/**
 * `/checkout`: sign in or create an account (the guest cart merges into the account's on the
 * first signed-in cart read, so nothing is lost), the delivery address, a review priced by the
 * server, and "Place order". The page renders one idempotency key per attempt, so a double click
 * or a resubmitted form places one order: the second POST replays the first's outcome.
 */
export function checkoutRoutes(deps: StorefrontDeps) {
  const { site, cart, orders, identity } = deps;

  function problemsFor(view: CartView, lines: readonly CheckoutShortLine[], kind: 'out_of_stock' | 'unavailable'): Map<string, string> {
    const byId = new Map(view.lines.map((l) => [l.variantId, l]));
    return new Map(
      lines.map((short) => {
        const line = byId.get(short.variantId);
        const title = line?.productTitle ?? 'An item in your cart';
        if (kind === 'unavailable') return [short.variantId, `${title} is no longer for sale`];
        const left = line?.availableQuantity;
        return [
          short.variantId,
          left === null || left === undefined || left === 0
            ? `${title} has sold out`
            : `${title}: only ${left} left, you asked for ${short.requested}`,
        ];
      }),
    );
  }

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    session: LiveSession,
    view: CartView,
    form: { key: string; address: AddressForm; errors: FieldError[]; problems?: Map<string, string> },
    status = 200,
  ) {
    if (view.lines.length === 0) return sendPrivatePage(request, reply, <EmptyCheckoutPage site={site} />, status === 200 ? 200 : status);
    return sendPrivatePage(
      request,
      reply,
      <CheckoutPage
        site={site}
        account={session.account}
        cart={view}
        idempotencyKey={form.key}
        address={form.address}
        errors={form.errors}
        problems={form.problems}
      />,
      status,
    );
  }

  return async (app: FastifyInstance) => {
    app.get('/checkout', { schema: { hide: true } }, async (request, reply) => {
      const session = await identity.pages.current(request);
      // Signed in: this read is also where a guest cart merges into the account's.
      const view = await cart.shopper.view(request, reply);
      if (view.lines.length === 0) return sendPrivatePage(request, reply, <EmptyCheckoutPage site={site} />);
      if (!session) return sendPrivatePage(request, reply, <CheckoutSignInPage site={site} cart={view} />);
      return render(request, reply, session, view, {
        key: newKey(),
        address: { ...EMPTY_ADDRESS, name: session.account.name },
        errors: [],
      });
    });

    app.post('/checkout', { schema: { hide: true } }, async (request, reply) => {
      const session = await identity.pages.current(request);
      if (!session) return seeOther(reply, '/sign-in?next=%2Fcheckout');
      const form = readAddress(request);
      const posted = formField(request, 'idempotencyKey');
      const { address, errors } = addressProblems(form);
      if (!IDEMPOTENCY_KEY_RE.test(posted)) {
        errors.unshift({ field: 'name', message: 'This form had expired. Check your details and place the order again.' });
      }
      const key = IDEMPOTENCY_KEY_RE.test(posted) ? posted : newKey();
      if (!address || errors.length > 0) {
        return render(request, reply, session, await cart.shopper.view(request, reply), { key, address: form, errors }, 400);
      }
      try {
        const outcome = await orders.service.placeOrder(session.account.id, key, address, {
          countAttempt: () => countStrictLimits(request),
        });
        switch (outcome.kind) {
          case 'accepted':
            return await seeOther(reply, `/account/orders/${outcome.order.id}?placed=1`);
          case 'queued':
            void reply.header('retry-after', String(Math.max(1, Math.ceil(outcome.place.retryAfterMs / 1000))));
            return await sendPrivatePage(
              request,
              reply,
              <QueuedPage site={site} idempotencyKey={key} address={form} position={outcome.place.position} />,
              429,
            );
          case 'out_of_stock':
          case 'unavailable': {
            // Nothing was bought and the cart is as it was: say which lines, and start a new
            // attempt (this key keeps answering "out of stock", even once stock is back).
            const view = await cart.shopper.view(request, reply);
            const problems = problemsFor(view, outcome.lines, outcome.kind);
            const lineErrors = [...problems].map(([variantId, message]) => ({
              field: lineAnchor(variantId),
              message: `${message}. Change it in your cart to buy the rest.`,
            }));
            return await render(request, reply, session, view, { key: newKey(), address: form, errors: lineErrors, problems }, 409);
          }
        }
      } catch (err) {
        if (!isDomainError(err) || err.kind === 'rate_limited' || err.kind === 'unavailable') throw err;
        // Refused before anything was bought: an empty cart, mixed currencies, a total above the
        // payment limit, or this attempt's key already used for another address.
        const reused = err.code === 'ORDERS_IDEMPOTENCY_KEY_REUSED';
        const message = reused
          ? 'You have already placed this order. See your orders, or check your details and place a new one.'
          : err.message;
        return render(
          request,
          reply,
          session,
          await cart.shopper.view(request, reply),
          { key: newKey(), address: form, errors: [{ field: 'name', message }] },
          reused ? 409 : 422,
        );
      }
    });
  };
}
