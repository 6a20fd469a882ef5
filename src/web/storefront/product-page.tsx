import { decimalAmount } from '../../shared/money.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PublicProduct } from '../../modules/catalog/index.ts';
import type { ProductStock, StockStatus } from '../../modules/inventory/index.ts';
import { MAX_LINE_QUANTITY } from '../../modules/cart/index.ts';
import { Island } from '../components/island.tsx';
import { ErrorSummary, Layout } from '../components/layout.tsx';
import { ProductPicture, srcsetOf } from '../components/picture.tsx';

/** How wide the main picture is drawn: the gallery's column on wide screens, the whole width on narrow ones. */
const MAIN_PICTURE_SIZES = '(min-width: 60rem) 34rem, 100vw';
import { formatMoney } from '../format.ts';
import { sendPrivatePage, sendPublicPage } from '../html.ts';
import AddToCart, { type AddToCartProps, type VariantChoice } from '../islands/add-to-cart.tsx';
import type { SiteContext } from '../components/document.tsx';
import { sendNotFoundPage } from './errors.tsx';
import type { StorefrontDeps } from './site.ts';

/** A problem with the buy form, shown at the top of the page and linked to its field. */
export type FormError = Readonly<{ field: string; message: string }>;

type Loaded = Readonly<{ product: PublicProduct; stock: ProductStock | null; key: string; stale: boolean }>;

/**
 * The product and its coarse stock, each from its module's cached read (the values the JSON
 * routes send). The rendered page's key holds both versions, so a change of price, title or a
 * variant going from "in stock" to "only a few left" renders a new page; exact counts never enter
 * it. Stock that cannot be read leaves the page without stock (its own key), sent as stale.
 */
async function load(deps: StorefrontDeps, id: string): Promise<Loaded | null> {
  const [product, stock] = await Promise.all([deps.catalog.reads.product(id), deps.inventory.reads.productStock(id).catch(() => null)]);
  if (!product.value) return null;
  return {
    product: product.value,
    stock: stock?.value ?? null,
    key: `product:${product.version}:${stock?.version ?? 'no-stock'}`,
    stale: Boolean(product.stale) || stock === null || Boolean(stock.stale),
  };
}

/** `12.50`: a price as schema.org and Open Graph want it (minor units in, a decimal string out). */
const decimalPrice = (money: Readonly<{ amount: number; currency: string }>): string => decimalAmount(money.amount, money.currency);

const SCHEMA_AVAILABILITY: Record<StockStatus, string> = {
  in_stock: 'https://schema.org/InStock',
  few_left: 'https://schema.org/LimitedAvailability',
  sold_out: 'https://schema.org/OutOfStock',
};

function variantLabel(options: Readonly<Record<string, string>>, sku: string): string {
  const values = Object.values(options);
  return values.length > 0 ? values.join(' / ') : sku;
}

/** What the buy form (island) is rendered from, in the browser as on the server. */
export function buyFormProps(product: PublicProduct, stock: ProductStock | null): AddToCartProps {
  const statuses = new Map(stock?.variants.map((v) => [v.variantId, v.status]) ?? []);
  const variants: VariantChoice[] = product.variants.map((v) => ({
    id: v.id,
    label: variantLabel(v.options, v.sku),
    detail: Object.entries(v.options)
      .map(([k, value]) => `${k}: ${value}`)
      .join(', '),
    price: formatMoney(v.price),
    stock: statuses.get(v.id) ?? null,
  }));
  const optionNames = [...new Set(product.variants.flatMap((v) => Object.keys(v.options)))];
  return {
    productId: product.id,
    title: product.title,
    optionNames,
    variants,
    initialVariantId: variants.find((v) => v.stock !== 'sold_out')?.id ?? null,
    maxQuantity: MAX_LINE_QUANTITY,
  };
}

function jsonLd(site: SiteContext, product: PublicProduct, stock: ProductStock | null): Record<string, unknown> {
  const statuses = new Map(stock?.variants.map((v) => [v.variantId, v.status]) ?? []);
  const url = `${site.publicUrl}/products/${product.id}`;
  const seller = { '@type': 'Organization', name: product.shopName, url: `${site.publicUrl}/shops/${product.shopSlug}` };
  return {
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: product.title,
    description: product.description,
    url,
    image: product.images.map((i) => i.urls.full),
    sku: product.variants[0]?.sku,
    brand: { '@type': 'Brand', name: product.shopName },
    ...(product.categoryName ? { category: product.categoryName } : {}),
    offers: product.variants.map((v) => {
      const status = statuses.get(v.id);
      return {
        '@type': 'Offer',
        sku: v.sku,
        name: variantLabel(v.options, v.sku),
        price: decimalPrice(v.price),
        priceCurrency: v.price.currency,
        url,
        seller,
        ...(status ? { availability: SCHEMA_AVAILABILITY[status] } : {}),
      };
    }),
  };
}

function describe(product: PublicProduct): string {
  const text = product.description.replace(/\s+/g, ' ').trim();
  const lead = `${product.title}, handmade by ${product.shopName}.`;
  if (!text) return lead;
  return text.length > 155 ? `${text.slice(0, 152).trimEnd()}…` : text;
}

/** The product page: gallery, title, shop, price, stock, the buy form, description. */
function ProductView(props: { site: SiteContext; product: PublicProduct; stock: ProductStock | null; errors?: readonly FormError[] }) {
  const { site, product, stock } = props;
  const [main, ...more] = product.images;
  const buy = buyFormProps(product, stock);
  const lowest = product.variants.reduce((low, v) => (v.price.amount < low.amount ? v.price : low), product.priceMin);
  return (
    <Layout
      site={site}
      meta={{
        title: product.title,
        description: describe(product),
        path: `/products/${product.id}`,
        type: 'product',
        image: main?.urls.card,
        openGraph: [
          ['product:price:amount', decimalPrice(lowest)],
          ['product:price:currency', lowest.currency],
          ['product:availability', buy.initialVariantId ? 'in stock' : 'out of stock'],
        ],
        jsonLd: jsonLd(site, product, stock),
        ...(main ? { preloadImage: { srcset: srcsetOf(main.urls), sizes: MAIN_PICTURE_SIZES } } : {}),
      }}
    >
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <ol>
          <li>
            <a href="/">Home</a>
          </li>
          <li>
            <a href={`/shops/${product.shopSlug}`}>{product.shopName}</a>
          </li>
          <li aria-current="page">{product.title}</li>
        </ol>
      </nav>
      {props.errors ? <ErrorSummary errors={props.errors} /> : null}
      <div class="product">
        <section class="product-gallery" aria-label="Pictures">
          <ProductPicture image={main ?? null} sizes={MAIN_PICTURE_SIZES} eager fallbackAlt={product.title} class="product-main-picture" />
          {more.length > 0 ? (
            <ul class="product-thumbs">
              {product.images.map((image, i) => (
                <li key={image.id}>
                  <a href={image.urls.full}>
                    <ProductPicture
                      image={{ alt: `${image.alt || product.title} (picture ${i + 1}, full size)`, urls: image.urls }}
                      sizes="5rem"
                    />
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
        </section>
        <section class="product-details" aria-labelledby="product-title">
          <h1 id="product-title">{product.title}</h1>
          <p class="product-shop">
            by <a href={`/shops/${product.shopSlug}`}>{product.shopName}</a>
            {product.categoryName ? <span class="muted"> · {product.categoryName}</span> : null}
          </p>
          <Island name="add-to-cart" component={AddToCart} props={buy} />
          <div class="product-description">
            <h2>About this piece</h2>
            {product.description
              .split(/\n\s*\n/)
              .map((p) => p.trim())
              .filter(Boolean)
              .map((p, i) => (
                <p key={i}>{p}</p>
              ))}
          </div>
        </section>
      </div>
    </Layout>
  );
}

/** `GET /products/:id`: the same for everyone, so cached by a CDN like the catalog's JSON; 404 for a draft or unknown id. */
export async function productPage(deps: StorefrontDeps, request: FastifyRequest, reply: FastifyReply, id: string): Promise<FastifyReply> {
  const loaded = await load(deps, id);
  if (!loaded) return sendNotFoundPage(deps.site, request, reply);
  const { product, stock } = loaded;
  const page = deps.pages.get(loaded.key, () => <ProductView site={deps.site} product={product} stock={stock} />);
  return sendPublicPage(request, reply, page, deps.httpCache, { stale: loaded.stale });
}

/**
 * The product page again with what went wrong with its buy form (a post without a script): for
 * this visitor only, so private, with the form's status. Null when the product cannot be shown.
 */
export async function sendProductWithErrors(
  deps: StorefrontDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  productId: string,
  errors: readonly FormError[],
  status: number,
): Promise<FastifyReply | null> {
  const loaded = await load(deps, productId);
  if (!loaded) return null;
  return sendPrivatePage(
    request,
    reply,
    <ProductView site={deps.site} product={loaded.product} stock={loaded.stock} errors={errors} />,
    status,
  );
}
