import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TEXT_LIMITS, type Category, type Product } from '../../../modules/catalog/index.ts';
import type { LiveSession } from '../../../modules/identity/index.ts';
import { isDomainError } from '../../../shared/errors.ts';
import { isId } from '../../../shared/ids.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { officePage, whoOf } from '../../back-office/guard.tsx';
import type { SiteContext } from '../../components/document.tsx';
import { Field, TextArea, TextField } from '../../components/form.tsx';
import { Island } from '../../components/island.tsx';
import { ErrorSummary } from '../../components/layout.tsx';
import { queryField, type FieldError } from '../../forms.ts';
import { seeOther, sendPrivatePage } from '../../html.ts';
import Images, { type EditorImage } from '../../islands/studio-images.tsx';
import Variants from '../../islands/studio-variants.tsx';
import { sendNotFoundPage } from '../../storefront/errors.tsx';
import { productStatusWords, statusClass } from './common.tsx';
import { saveProduct } from './editor-save.ts';
import { checkProductForm, formOf, MAX_VARIANT_ROWS, readIntent, readProductForm, SPARE_ROWS, type ProductForm } from './editor-form.ts';

const NOTICES: Readonly<Record<string, string>> = {
  created: 'Saved as a draft. Add images, then publish it when it is ready.',
  published: 'Published: buyers can find it once your shop is open.',
  unpublished: 'Unpublished: it is a draft again, off the storefront.',
  saved: 'Your changes are saved.',
};

type EditorProps = Readonly<{
  site: SiteContext;
  who: string;
  currency: string;
  categories: readonly Category[];
  product: Product | null;
  images: ReadonlyArray<EditorImage>;
  form: ProductForm;
  errors: readonly FieldError[];
  notice?: string | undefined;
}>;

function CategorySelect(props: { categories: readonly Category[]; value: string; errors: readonly FieldError[] }) {
  const names = new Map(props.categories.map((c) => [c.id, c.name]));
  const label = (c: Category) => (c.parentId && names.has(c.parentId) ? `${names.get(c.parentId)} › ${c.name}` : c.name);
  const sorted = [...props.categories].sort((a, b) => label(a).localeCompare(label(b)));
  return (
    <Field
      id="categoryId"
      label="Category"
      errors={props.errors}
      control={(aria) => (
        <select id="categoryId" name="categoryId" {...aria}>
          <option value="">No category</option>
          {sorted.map((c) => (
            <option key={c.id} value={c.id} selected={c.id === props.value}>
              {label(c)}
            </option>
          ))}
        </select>
      )}
    />
  );
}

function StatusLine(props: { product: Product }) {
  const { product } = props;
  const words = productStatusWords(product);
  return (
    <div class="studio-panel">
      <p>
        Status: <span class={`status ${statusClass(words)}`}>{words}</span>
        {product.status === 'published' ? (
          <>
            {' '}
            · <a href={`/products/${product.id}`}>See it on the storefront</a>
          </>
        ) : null}{' '}
        · <a href="/studio/stock">Stock</a>
      </p>
      {product.moderationNote !== null ? (
        <p id="held" class="notice-bad">
          The operator unpublished this product: {product.moderationNote}. You cannot publish it until the operator lifts the hold.
        </p>
      ) : null}
    </div>
  );
}

function Buttons(props: { product: Product | null }) {
  const { product } = props;
  if (!product) {
    return (
      <div class="actions">
        <button type="submit" name="intent" value="draft" class="secondary">
          Save draft
        </button>
        <button type="submit" name="intent" value="publish">
          Publish
        </button>
      </div>
    );
  }
  return (
    <div class="actions">
      <button type="submit" name="intent" value="save" class="secondary">
        Save changes
      </button>
      {product.status === 'published' ? (
        <button type="submit" name="intent" value="unpublish" class="secondary">
          Unpublish
        </button>
      ) : product.moderationNote === null ? (
        <button type="submit" name="intent" value="publish">
          Publish
        </button>
      ) : null}
    </div>
  );
}

function EditorPage(props: EditorProps) {
  const { product, form, errors } = props;
  const path = product ? `/studio/products/${product.id}` : '/studio/products/new';
  const errorMap = Object.fromEntries(errors.map((e) => [e.field, e.message]));
  return (
    <OfficeLayout
      site={props.site}
      office="studio"
      title={product ? product.title : 'New product'}
      path={path}
      who={props.who}
      notice={props.notice}
    >
      {product ? <StatusLine product={product} /> : null}
      <ErrorSummary errors={errors} />
      <form method="post" action={path} class="stack studio-form" noValidate>
        <TextField id="title" label="Title" value={form.title} errors={errors} required maxLength={TEXT_LIMITS.title} />
        <TextArea
          id="description"
          label="Description"
          value={form.description}
          errors={errors}
          rows={6}
          maxLength={TEXT_LIMITS.description}
        />
        <CategorySelect categories={props.categories} value={form.categoryId} errors={errors} />
        <TextField
          id="optionName"
          label="Option name"
          value={form.optionName}
          errors={errors}
          maxLength={TEXT_LIMITS.optionName}
          hint="What the variants differ in, like Size or Colour. Leave empty for a single variant."
        />
        <Island
          name="studio-variants"
          component={Variants}
          props={{
            rows: form.variants,
            spare: SPARE_ROWS,
            max: MAX_VARIANT_ROWS,
            valueMax: TEXT_LIMITS.optionValue,
            currency: props.currency,
            errors: errorMap,
          }}
        />
        <Buttons product={product} />
      </form>
      {product ? (
        <section aria-labelledby="images-heading">
          <h2 id="images-heading">Images</h2>
          <Island name="studio-images" component={Images} props={{ productId: product.id, images: props.images }} />
        </section>
      ) : null}
    </OfficeLayout>
  );
}

/** The product, when the seller owns it; another shop's (or a malformed id) is not found. */
async function ownProduct(deps: BackOfficeDeps, session: LiveSession, id: string): Promise<Product | null> {
  if (!isId(id)) return null;
  try {
    await deps.catalog.service.assertProductOwner(id, session.account.id);
  } catch (err) {
    if (isDomainError(err) && (err.kind === 'not_found' || err.kind === 'forbidden')) return null;
    throw err;
  }
  return deps.catalog.service.getProduct(id);
}

async function imagesOf(deps: BackOfficeDeps, accountId: string, productId: string): Promise<EditorImage[]> {
  const list = await deps.media.service.listProductImages(accountId, productId);
  return list.map((i) => ({ id: i.id, alt: i.alt, status: i.status, thumb: i.urls?.thumb ?? null, error: i.error }));
}

type Ctx = Readonly<{ session: LiveSession; currency: string; categories: readonly Category[] }>;

async function contextOf(deps: BackOfficeDeps, session: LiveSession): Promise<Ctx | null> {
  const shop = await deps.catalog.service.ownShop(session.account.id);
  if (!shop) return null;
  return { session, currency: shop.currency, categories: await deps.catalog.service.listCategories() };
}

async function render(
  deps: BackOfficeDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: Ctx,
  page: Omit<EditorProps, 'site' | 'who' | 'currency' | 'categories' | 'images'>,
  status = 200,
) {
  const images = page.product ? await imagesOf(deps, ctx.session.account.id, page.product.id) : [];
  const props = { ...page, site: deps.site, who: whoOf(ctx.session), currency: ctx.currency, categories: ctx.categories, images };
  return sendPrivatePage(request, reply, <EditorPage {...props} />, status);
}

/** Checks and saves the posted form; bad input (or a refusal the form can name) shows the form again, 400. */
async function post(deps: BackOfficeDeps, request: FastifyRequest, reply: FastifyReply, ctx: Ctx, product: Product | null) {
  const form = readProductForm(request);
  const intent = readIntent(request);
  const checked = checkProductForm(form, { currency: ctx.currency, categories: ctx.categories, product });
  const result =
    checked.errors.length > 0
      ? { errors: checked.errors }
      : await saveProduct(deps, ctx.session.account.id, { form, rows: checked.rows, intent, product });
  if ('errors' in result) return render(deps, request, reply, ctx, { product, form, errors: result.errors }, 400);
  return seeOther(reply, `/studio/products/${result.id}?done=${result.done}`);
}

export function editorRoutes(deps: BackOfficeDeps) {
  return async (app: FastifyInstance) => {
    const blank: ProductForm = { title: '', description: '', categoryId: '', optionName: '', variants: [] };
    app.get(
      '/studio/products/new',
      { schema: { hide: true } },
      officePage(deps, 'studio', async (session, request, reply) => {
        const ctx = await contextOf(deps, session);
        if (!ctx) return seeOther(reply, '/studio/start');
        return render(deps, request, reply, ctx, { product: null, form: blank, errors: [] });
      }),
    );
    app.post(
      '/studio/products/new',
      { schema: { hide: true } },
      officePage(deps, 'studio', async (session, request, reply) => {
        const ctx = await contextOf(deps, session);
        if (!ctx) return seeOther(reply, '/studio/start');
        return post(deps, request, reply, ctx, null);
      }),
    );
    app.get<{ Params: { id: string } }>(
      '/studio/products/:id',
      { schema: { hide: true } },
      officePage<{ Params: { id: string } }>(deps, 'studio', async (session, request, reply) => {
        const ctx = await contextOf(deps, session);
        if (!ctx) return seeOther(reply, '/studio/start');
        const product = await ownProduct(deps, session, request.params.id);
        if (!product) return sendNotFoundPage(deps.site, request, reply);
        const notice = NOTICES[queryField(request, 'done')];
        return render(deps, request, reply, ctx, { product, form: formOf(product), errors: [], notice });
      }),
    );
    app.post<{ Params: { id: string } }>(
      '/studio/products/:id',
      { schema: { hide: true } },
      officePage<{ Params: { id: string } }>(deps, 'studio', async (session, request, reply) => {
        const ctx = await contextOf(deps, session);
        if (!ctx) return seeOther(reply, '/studio/start');
        const product = await ownProduct(deps, session, request.params.id);
        if (!product) return sendNotFoundPage(deps.site, request, reply);
        return post(deps, request, reply, ctx, product);
      }),
    );
  };
}
