import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CartLineView, CartView } from '../../modules/cart/index.ts';
import { isDomainError, type DomainError } from '../../shared/errors.ts';
import { ErrorSummary, Layout, PageHeading } from '../components/layout.tsx';
import { ProductPicture, type PictureUrls } from '../components/picture.tsx';
import { formatMoney } from '../format.ts';
import { formField } from '../forms.ts';
import { seeOther, sendPrivatePage } from '../html.ts';
import type { SiteContext } from '../components/document.tsx';
import { sendProductWithErrors, type FormError } from './product-page.tsx';
import type { StorefrontDeps } from './site.ts';

/** A product's first picture for a cart line, from the catalog's cached read (none for a product gone from sale). */
type LineImages = ReadonlyMap<string, Readonly<{ alt: string; urls: PictureUrls }>>;

/**
 * The refusals a cart form answers itself, by the form, with the status the JSON API gives the
 * same kind; anything else (rate limits, an outage) goes to the pages' error handler, which says
 * "too many attempts" or "busy" rather than showing it as a problem with the form.
 */
const FORM_REFUSALS: Partial<Record<DomainError['kind'], number>> = { invalid: 400, not_found: 404, conflict: 409, unprocessable: 422 };
const formRefusal = (err: unknown): err is DomainError => isDomainError(err) && FORM_REFUSALS[err.kind] !== undefined;
const statusOf = (err: DomainError): number => FORM_REFUSALS[err.kind] ?? 400;

const optionsText = (options: Readonly<Record<string, string>> | null) =>
  options
    ? Object.entries(options)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')
    : '';

/** What is wrong with a line, said where the shopper looks: by the line, at once. */
function lineProblem(line: CartLineView): string | null {
  switch (line.reason) {
    case null:
      return null;
    case 'insufficient_stock':
      return `Only ${line.availableQuantity ?? 0} left: lower the quantity`;
    case 'sold_out':
      return 'Sold out: remove it';
    case 'variant_deleted':
    case 'variant_unpublished':
      return 'No longer available: remove it';
  }
}

function CartLine(props: { line: CartLineView; image: Readonly<{ alt: string; urls: PictureUrls }> | null; maxQuantity: number }) {
  const { line } = props;
  const title = line.productTitle ?? 'A product that is no longer sold';
  const problem = lineProblem(line);
  const qid = `quantity-${line.variantId}`;
  const pid = `problem-${line.variantId}`;
  return (
    <li class={problem ? 'cart-line has-problem' : 'cart-line'}>
      <div class="cart-line-picture">
        <ProductPicture image={props.image} sizes="6rem" fallbackAlt={title} />
      </div>
      <div class="cart-line-body">
        <h2 class="cart-line-title">
          {line.productId && line.reason !== 'variant_deleted' && line.reason !== 'variant_unpublished' ? (
            <a href={`/products/${line.productId}`}>{title}</a>
          ) : (
            title
          )}
        </h2>
        {line.options && Object.keys(line.options).length > 0 ? <p class="cart-line-options muted">{optionsText(line.options)}</p> : null}
        {line.shopName ? <p class="cart-line-shop muted">by {line.shopName}</p> : null}
        {line.unitPrice ? <p class="cart-line-unit">{formatMoney(line.unitPrice)} each</p> : null}
        {problem ? (
          <p class="line-problem" id={pid}>
            <strong>{problem}</strong>
          </p>
        ) : null}
        <form class="cart-line-form" method="post" action={`/cart/lines/${line.variantId}`}>
          <label for={qid}>
            Quantity<span class="visually-hidden"> of {title}</span>
          </label>
          <input
            id={qid}
            name="quantity"
            type="number"
            inputMode="numeric"
            min={1}
            max={props.maxQuantity}
            value={String(line.quantity)}
            aria-describedby={problem ? pid : undefined}
            aria-invalid={problem && line.reason === 'insufficient_stock' ? 'true' : undefined}
          />
          <button type="submit" name="action" value="update" class="button secondary">
            Update<span class="visually-hidden"> {title}</span>
          </button>
          <button type="submit" name="action" value="remove" class="link">
            Remove<span class="visually-hidden"> {title}</span>
          </button>
        </form>
      </div>
      <p class="cart-line-total price">
        <span class="visually-hidden">Line total: </span>
        {line.lineTotal && line.available ? formatMoney(line.lineTotal) : <span class="muted">Not counted</span>}
      </p>
    </li>
  );
}

function CartPage(props: {
  site: SiteContext;
  /** The platform currency: the empty cart's total. */
  currency: string;
  cart: CartView;
  images: LineImages;
  errors?: readonly FormError[];
  added?: string | null;
}) {
  const { cart } = props;
  const problems = cart.lines.filter((l) => !l.available).length;
  const added = props.added ? cart.lines.find((l) => l.variantId === props.added) : undefined;
  return (
    <Layout site={props.site} meta={{ title: 'Your cart', description: 'The things in your cart.', path: '/cart', noindex: true }}>
      <PageHeading title="Your cart" />
      {props.errors ? <ErrorSummary errors={props.errors} /> : null}
      {added ? (
        <p class="notice ok" role="status">
          Added {added.productTitle ?? 'the item'} to your cart.
        </p>
      ) : null}
      {cart.lines.length === 0 ? (
        <div class="cart-empty card">
          <p>Your cart is empty.</p>
          <p>
            <a class="button" href="/products">
              Browse handmade goods
            </a>
          </p>
        </div>
      ) : (
        <div class="cart">
          <ul class="cart-lines">
            {cart.lines.map((line) => (
              <CartLine
                key={line.variantId}
                line={line}
                image={line.productId ? (props.images.get(line.productId) ?? null) : null}
                maxQuantity={cart.limits.maxQuantity}
              />
            ))}
          </ul>
          <aside class="cart-summary card" aria-labelledby="summary-title">
            <h2 id="summary-title">Summary</h2>
            <dl>
              <dt>Items</dt>
              <dd>{cart.itemCount}</dd>
              <dt>Subtotal</dt>
              {cart.totals.length === 0 ? <dd>{formatMoney({ amount: 0, currency: props.currency })}</dd> : null}
              {cart.totals.map((t) => (
                <dd key={t.currency} class="price">
                  {formatMoney(t)}
                </dd>
              ))}
            </dl>
            <p class="hint">Shipping is worked out at checkout.</p>
            {problems > 0 ? (
              <p class="notice warn">
                {problems === 1
                  ? 'One line cannot be bought as it is and is left out of the total.'
                  : `${problems} lines cannot be bought as they are and are left out of the total.`}
              </p>
            ) : null}
            <a class="button checkout-button" href="/checkout">
              Continue to checkout
            </a>
            <p>
              <a href="/products">Continue shopping</a>
            </p>
          </aside>
        </div>
      )}
    </Layout>
  );
}

async function imagesFor(deps: StorefrontDeps, cart: CartView): Promise<LineImages> {
  const ids = [...new Set(cart.lines.map((l) => l.productId).filter((id): id is string => id !== null))];
  const reads = await Promise.all(ids.map((id) => deps.catalog.reads.product(id).catch(() => null)));
  const images = new Map<string, { alt: string; urls: PictureUrls }>();
  for (const r of reads) {
    const first = r?.value?.images[0];
    if (r?.value && first) images.set(r.value.id, { alt: first.alt || r.value.title, urls: first.urls });
  }
  return images;
}

async function sendCart(
  deps: StorefrontDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  opts: { errors?: readonly FormError[]; status?: number; added?: string | null } = {},
): Promise<FastifyReply> {
  const cart = await deps.cart.shopper.view(request, reply);
  const images = await imagesFor(deps, cart);
  return sendPrivatePage(
    request,
    reply,
    <CartPage site={deps.site} currency={deps.currency} cart={cart} images={images} errors={opts.errors} added={opts.added} />,
    opts.status,
  );
}

/** `GET /cart`: the visitor's own cart, never cached. */
export async function cartPage(deps: StorefrontDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const added = (request.query as Record<string, unknown> | undefined)?.added;
  return sendCart(deps, request, reply, { added: typeof added === 'string' ? added : null });
}

/** A whole number as typed in a form field, or NaN (the domain then says what it wants). */
function wholeNumber(text: string): number {
  const t = text.trim();
  return /^\d{1,6}$/.test(t) ? Number(t) : Number.NaN;
}

/** Whether the caller asked for JSON (the add-to-cart island's fetch) rather than a page. */
function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}

/** A refusal's message, for the JSON answer of an island. */
function refused(reply: FastifyReply, err: DomainError): FastifyReply {
  return reply
    .code(statusOf(err))
    .header('cache-control', 'private, no-store')
    .send({ error: { code: err.code, message: err.message } });
}

/**
 * `POST /cart/lines` (variantId, quantity, productId): the product page's buy form. Then the cart
 * (303), or for a script (Accept: application/json) a small JSON answer with the header's count.
 * A refusal shows the product page again with the message (no script), or JSON with it.
 */
export async function addToCart(deps: StorefrontDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const variantId = formField(request, 'variantId');
  const productId = formField(request, 'productId');
  const quantity = wholeNumber(formField(request, 'quantity') || '1');
  try {
    const cart = await deps.cart.shopper.add(request, reply, variantId, quantity);
    if (!wantsJson(request)) return await seeOther(reply, `/cart?added=${encodeURIComponent(variantId)}`);
    const line = cart.lines.find((l) => l.variantId === variantId);
    const what = line?.productTitle ? `${line.productTitle}${line.options ? ` (${Object.values(line.options).join(' / ')})` : ''}` : 'It';
    return await reply
      .header('cache-control', 'private, no-store')
      .send({ message: `Added to your cart: ${what}.`, cartCount: cart.lines.reduce((n, l) => n + l.quantity, 0) });
  } catch (err) {
    if (!formRefusal(err)) throw err;
    if (wantsJson(request)) return refused(reply, err);
    const field = err.field === 'body.quantity' ? 'quantity' : 'buy';
    const shown = productId
      ? await sendProductWithErrors(deps, request, reply, productId, [{ field, message: err.message }], statusOf(err))
      : null;
    return shown ?? sendCart(deps, request, reply, { errors: [{ field: 'main', message: err.message }], status: statusOf(err) });
  }
}

/**
 * `POST /cart/lines/:variantId` (quantity, action=update|remove): the cart page's line forms.
 * Then the cart again (303); a refusal shows the cart with the message by the line.
 */
export async function changeLine(
  deps: StorefrontDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  variantId: string,
): Promise<FastifyReply> {
  const action = formField(request, 'action');
  const quantity = wholeNumber(formField(request, 'quantity'));
  try {
    // A quantity of 0 takes the line out, as shoppers expect of a cart.
    if (action === 'remove' || quantity === 0) await deps.cart.shopper.remove(request, reply, variantId);
    else await deps.cart.shopper.setQuantity(request, reply, variantId, quantity);
    if (wantsJson(request)) return await reply.code(204).header('cache-control', 'private, no-store').send();
    return await seeOther(reply, '/cart');
  } catch (err) {
    if (!formRefusal(err)) throw err;
    if (wantsJson(request)) return refused(reply, err);
    return sendCart(deps, request, reply, { errors: [{ field: `quantity-${variantId}`, message: err.message }], status: statusOf(err) });
  }
}
