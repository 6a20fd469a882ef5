import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Product } from '../../../modules/catalog/index.ts';
import type { LiveSession } from '../../../modules/identity/index.ts';
import { MAX_ON_HAND, MAX_RESTOCK } from '../../../modules/inventory/index.ts';
import { isDomainError } from '../../../shared/errors.ts';
import { isId } from '../../../shared/ids.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { officePage, pageActor, whoOf } from '../../back-office/guard.tsx';
import type { SiteContext } from '../../components/document.tsx';
import { ErrorSummary } from '../../components/layout.tsx';
import { formField, queryField, type FieldError } from '../../forms.ts';
import { seeOther, sendPrivatePage } from '../../html.ts';
import { sendNotFoundPage } from '../../storefront/errors.tsx';
import { productStatusWords, variantLabel } from './common.tsx';
import { allProducts, isLow, stockOf, type VariantStock } from './data.ts';

type StockPageProps = Readonly<{
  site: SiteContext;
  who: string;
  products: readonly Product[];
  stock: ReadonlyMap<string, VariantStock>;
  errors: readonly FieldError[];
  /** The posted units, kept in the field that was at fault. */
  kept?: Readonly<{ variantId: string; units: string }>;
  notice?: string | undefined;
}>;

const unitsId = (variantId: string) => `units-${variantId}`;

function StockWords(props: { stock: VariantStock | undefined }) {
  const s = props.stock;
  if (!s || s.status === 'sold_out') return <span class="status bad">Low stock: none on sale</span>;
  if (s.status === 'few_left') return <span class="status warn">Low stock</span>;
  return <span class="status ok">In stock</span>;
}

function VariantForm(props: {
  product: Product;
  variantId: string;
  label: string;
  stock: VariantStock | undefined;
  errors: readonly FieldError[];
  kept?: string | undefined;
}) {
  const id = unitsId(props.variantId);
  const error = props.errors.find((e) => e.field === id)?.message;
  const level = props.stock?.level;
  return (
    <tr>
      <td>
        {props.product.title} ({props.label})
        <br />
        <span class="hint">{productStatusWords(props.product)}</span>
      </td>
      <td class="num">{level?.onHand ?? 0}</td>
      <td class="num">{(level?.reserved ?? 0) + (level?.sold ?? 0)}</td>
      <td class="num">{level?.available ?? 0}</td>
      <td>
        <StockWords stock={props.stock} />
      </td>
      <td>
        <form method="post" action={`/studio/stock/${props.variantId}`} class={`stock-form field${error ? ' has-error' : ''}`} noValidate>
          <label for={id}>
            Units for {props.product.title} ({props.label})
          </label>
          {error ? (
            <span id={`${id}-error`} class="field-error">
              <span class="visually-hidden">Error: </span>
              {error}
            </span>
          ) : null}
          <input
            id={id}
            name="units"
            type="number"
            inputMode="numeric"
            min={0}
            step={1}
            value={props.kept ?? ''}
            aria-describedby={error ? `${id}-error` : undefined}
            aria-invalid={error ? 'true' : undefined}
          />
          <button type="submit" name="action" value="restock">
            Restock
          </button>
          <button type="submit" name="action" value="set" class="secondary">
            Set
          </button>
        </form>
      </td>
    </tr>
  );
}

function StockPage(props: StockPageProps) {
  const rows = props.products.flatMap((p) => p.variants.map((v) => ({ product: p, variant: v })));
  const low = rows.filter((r) => isLow(props.stock.get(r.variant.id)));
  return (
    <OfficeLayout site={props.site} office="studio" title="Stock" path="/studio/stock" who={props.who} notice={props.notice}>
      <ErrorSummary errors={props.errors} />
      <section aria-labelledby="low-heading" class="studio-panel">
        <h2 id="low-heading">Low stock</h2>
        {low.length === 0 ? (
          <p>Nothing is running low.</p>
        ) : (
          <ul>
            {low.map((r) => (
              <li key={r.variant.id}>
                <a href={`#${unitsId(r.variant.id)}`}>
                  {r.product.title} ({variantLabel(r.variant.options)})
                </a>
                : Low stock, {props.stock.get(r.variant.id)?.level.available ?? 0} on sale
              </li>
            ))}
          </ul>
        )}
      </section>
      {rows.length === 0 ? (
        <p>
          No products yet. <a href="/studio/products/new">Add a product</a>.
        </p>
      ) : (
        <table class="records stock-table">
          <caption class="visually-hidden">Stock per variant</caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col" class="num">
                On hand
              </th>
              <th scope="col" class="num">
                Reserved or sold
              </th>
              <th scope="col" class="num">
                On sale
              </th>
              <th scope="col">Stock</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <VariantForm
                key={r.variant.id}
                product={r.product}
                variantId={r.variant.id}
                label={variantLabel(r.variant.options)}
                stock={props.stock.get(r.variant.id)}
                errors={props.errors}
                kept={props.kept?.variantId === r.variant.id ? props.kept.units : undefined}
              />
            ))}
          </tbody>
        </table>
      )}
    </OfficeLayout>
  );
}

async function show(
  deps: BackOfficeDeps,
  session: LiveSession,
  request: FastifyRequest,
  reply: FastifyReply,
  extra: Partial<StockPageProps> = {},
  status = 200,
) {
  const products = await allProducts(deps, session.account.id);
  const stock = await stockOf(deps, products);
  const page = <StockPage site={deps.site} who={whoOf(session)} products={products} stock={stock} errors={[]} {...extra} />;
  return sendPrivatePage(request, reply, page, status);
}

/** The units as a whole number in the action's range, or the field's message. */
function checkUnits(text: string, action: string): number | string {
  const max = action === 'set' ? MAX_ON_HAND : MAX_RESTOCK;
  const min = action === 'set' ? 0 : 1;
  if (text.trim() === '') return 'Enter a number of units';
  if (!/^\d{1,9}$/.test(text.trim())) return 'Enter the units as a whole number, like 12';
  const n = Number(text.trim());
  if (n < min || n > max)
    return action === 'set' ? `Set between ${min} and ${max} units` : `Restock between ${min} and ${max} units at a time`;
  return n;
}

async function change(
  deps: BackOfficeDeps,
  session: LiveSession,
  request: FastifyRequest<{ Params: { variantId: string } }>,
  reply: FastifyReply,
) {
  const { variantId } = request.params;
  const action = formField(request, 'action') === 'set' ? 'set' : 'restock';
  const text = formField(request, 'units');
  const units = checkUnits(text, action);
  const fail = (message: string) =>
    show(deps, session, request, reply, { errors: [{ field: unitsId(variantId), message }], kept: { variantId, units: text } }, 400);
  if (typeof units === 'string') return fail(units);
  const actor = pageActor(session, request);
  try {
    if (action === 'set') await deps.inventory.service.setOnHandOwned(actor, variantId, units);
    else await deps.inventory.service.restockOwned(actor, variantId, units);
  } catch (err) {
    // Another shop's variant is not found here, as its product is.
    if (isDomainError(err) && (err.kind === 'not_found' || err.kind === 'forbidden')) return sendNotFoundPage(deps.site, request, reply);
    if (isDomainError(err) && err.kind === 'conflict') return fail(`${err.message}: set at least what is reserved or sold`);
    throw err;
  }
  return seeOther(reply, `/studio/stock?done=${action}#${unitsId(variantId)}`);
}

export function stockRoutes(deps: BackOfficeDeps) {
  return async (app: FastifyInstance) => {
    app.get(
      '/studio/stock',
      { schema: { hide: true } },
      officePage(deps, 'studio', (session, request, reply) => {
        const done = queryField(request, 'done');
        const notice = done === 'restock' ? 'Restocked.' : done === 'set' ? 'Stock set.' : undefined;
        return show(deps, session, request, reply, { notice });
      }),
    );
    app.post<{ Params: { variantId: string } }>(
      '/studio/stock/:variantId',
      { schema: { hide: true } },
      officePage<{ Params: { variantId: string } }>(deps, 'studio', async (session, request, reply) => {
        if (!isId(request.params.variantId)) return sendNotFoundPage(deps.site, request, reply);
        return change(deps, session, request, reply);
      }),
    );
  };
}
