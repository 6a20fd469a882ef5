import type { CartLineView, CartView } from '../../modules/cart/index.ts';
import type { Account } from '../../modules/identity/index.ts';
import type { ShippingAddress } from '../../modules/orders/index.ts';
import { SignInForm, SignUpForm } from '../account/auth-pages.tsx';
import type { SiteContext } from '../components/document.tsx';
import { TextField } from '../components/form.tsx';
import { ErrorSummary, Layout, PageHeading } from '../components/layout.tsx';
import { formatMoney } from '../format.ts';
import type { FieldError } from '../forms.ts';

export type AddressForm = Readonly<Record<keyof ShippingAddress, string>>;
export const EMPTY_ADDRESS: AddressForm = { name: '', line1: '', line2: '', city: '', postalCode: '', country: '' };

function CheckoutLayout(props: { site: SiteContext; errors?: readonly FieldError[]; children: preact.ComponentChildren }) {
  const error = props.errors && props.errors.length > 0 ? 'Error: ' : '';
  return (
    <Layout site={props.site} meta={{ title: `${error}Checkout`, description: 'Checkout', path: '/checkout', noindex: true }}>
      {props.children}
    </Layout>
  );
}

function TestMode() {
  return (
    <p class="notice warn test-mode" role="note">
      Test mode: no real payment is taken.
    </p>
  );
}

/** Why a cart line cannot be bought as it is, in words. */
export function lineProblem(line: CartLineView): string | null {
  const title = line.productTitle ?? 'An item';
  if (line.reason === 'sold_out' || (line.availableQuantity === 0 && !line.available)) return `${title} has sold out`;
  if (line.reason === 'insufficient_stock')
    return `${title}: only ${line.availableQuantity ?? 'a few'} left, you asked for ${line.quantity}`;
  if (line.reason === 'variant_deleted' || line.reason === 'variant_unpublished') return `${title} is no longer for sale`;
  return null;
}

export const lineAnchor = (variantId: string) => `line-${variantId}`;

/** The lines and totals from the server's cart, as checkout will price them. */
export function Review(props: { cart: CartView; problems?: ReadonlyMap<string, string> }) {
  return (
    <section aria-labelledby="review-heading" class="card">
      <h2 id="review-heading">Your order</h2>
      <table class="review">
        <caption class="visually-hidden">Items in your order</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" class="num">
              Quantity
            </th>
            <th scope="col" class="num">
              Price
            </th>
          </tr>
        </thead>
        <tbody>
          {props.cart.lines.map((l) => {
            const problem = props.problems?.get(l.variantId) ?? lineProblem(l);
            return (
              <tr key={l.variantId} id={lineAnchor(l.variantId)}>
                <td>
                  {l.productId ? <a href={`/products/${l.productId}`}>{l.productTitle ?? l.sku}</a> : (l.productTitle ?? l.sku)}
                  {l.shopName ? <span class="muted"> from {l.shopName}</span> : null}
                  {problem ? (
                    <span class="field-error" data-line-problem={l.variantId}>
                      {' '}
                      {problem}
                    </span>
                  ) : null}
                </td>
                <td class="num">{l.quantity}</td>
                <td class="num">{l.lineTotal ? formatMoney(l.lineTotal) : '–'}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          {props.cart.totals.map((t) => (
            <tr key={t.currency}>
              <th scope="row" colSpan={2}>
                Total
              </th>
              <td class="num">{formatMoney(t)}</td>
            </tr>
          ))}
        </tfoot>
      </table>
      <p>
        <a href="/cart">Change your cart</a>
      </p>
    </section>
  );
}

export function EmptyCheckoutPage(props: { site: SiteContext }) {
  return (
    <CheckoutLayout site={props.site}>
      <PageHeading title="Checkout" />
      <p>Your cart is empty.</p>
      <p>
        <a class="button" href="/products">
          Browse everything
        </a>
      </p>
    </CheckoutLayout>
  );
}

/** Checkout for a visitor who is not signed in: sign in or create an account; the cart stays. */
export function CheckoutSignInPage(props: { site: SiteContext; cart: CartView }) {
  return (
    <CheckoutLayout site={props.site}>
      <PageHeading title="Checkout" lead="Sign in or create an account to place your order. Your cart is kept." />
      <TestMode />
      <div class="checkout-grid">
        <div>
          <section aria-labelledby="sign-in-heading">
            <h2 id="sign-in-heading">Sign in</h2>
            <SignInForm errors={[]} email="" next="/checkout" />
            <p>
              <a href="/forgot-password">Forgotten your password?</a>
            </p>
          </section>
          <section aria-labelledby="sign-up-heading">
            <h2 id="sign-up-heading">New here? Create an account</h2>
            <SignUpFormAtCheckout />
          </section>
        </div>
        <Review cart={props.cart} />
      </div>
    </CheckoutLayout>
  );
}

/** The sign-up form at checkout, with its own ids so it can share the page with the sign-in form. */
function SignUpFormAtCheckout() {
  return (
    <div class="sign-up-at-checkout">
      <p class="hint">We will email you a link to confirm your address; you can sign in and place your order straight away.</p>
      <SignUpForm errors={[]} name="" email="" next="/checkout" idPrefix="new-" />
    </div>
  );
}

export function CheckoutPage(props: {
  site: SiteContext;
  account: Account;
  cart: CartView;
  idempotencyKey: string;
  address: AddressForm;
  errors: readonly FieldError[];
  problems?: ReadonlyMap<string, string>;
}) {
  const { errors, address } = props;
  return (
    <CheckoutLayout site={props.site} errors={errors}>
      <ErrorSummary errors={errors} />
      <PageHeading title="Checkout" lead={`Signed in as ${props.account.email}.`} />
      <TestMode />
      <div class="checkout-grid">
        <form method="post" action="/checkout" novalidate>
          {/* One key per checkout attempt: a double click or a resubmitted form places one order. */}
          <input type="hidden" name="idempotencyKey" value={props.idempotencyKey} />
          <fieldset>
            <legend>
              <h2>Delivery address</h2>
            </legend>
            <TextField id="name" label="Full name" autocomplete="shipping name" value={address.name} errors={errors} maxLength={200} />
            <TextField
              id="line1"
              label="Address line 1"
              autocomplete="shipping address-line1"
              value={address.line1}
              errors={errors}
              maxLength={200}
            />
            <TextField
              id="line2"
              label="Address line 2 (optional)"
              autocomplete="shipping address-line2"
              value={address.line2}
              errors={errors}
              maxLength={200}
            />
            <TextField
              id="city"
              label="Town or city"
              autocomplete="shipping address-level2"
              value={address.city}
              errors={errors}
              maxLength={100}
            />
            <TextField
              id="postalCode"
              label="Postcode"
              autocomplete="shipping postal-code"
              value={address.postalCode}
              errors={errors}
              maxLength={20}
              class="short"
            />
            <TextField
              id="country"
              label="Country code"
              hint="Two letters, like GB, FR or DE."
              autocomplete="shipping country"
              value={address.country}
              errors={errors}
              maxLength={2}
              class="short"
            />
          </fieldset>
          <p class="muted">You pay when you place the order. Test mode: no real payment is taken.</p>
          <button type="submit">Place order</button>
        </form>
        <Review cart={props.cart} problems={props.problems} />
      </div>
    </CheckoutLayout>
  );
}

/** Many buyers at once for one item: a place in line, kept by sending the same form again. */
export function QueuedPage(props: { site: SiteContext; idempotencyKey: string; address: AddressForm; position: number }) {
  return (
    <CheckoutLayout site={props.site}>
      <PageHeading title="Many people are buying this right now" lead={`You have a place in line: number ${props.position}.`} />
      <p>Nothing has been bought yet. Press the button in a moment to keep your place and place the order.</p>
      <form method="post" action="/checkout">
        <input type="hidden" name="idempotencyKey" value={props.idempotencyKey} />
        {Object.entries(props.address).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <button type="submit">Try again</button>
      </form>
    </CheckoutLayout>
  );
}
