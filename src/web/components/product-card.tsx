import { formatMoney } from '../format.ts';
import { ProductPicture, type PictureImage } from './picture.tsx';

/** What a card shows: a catalog list summary or a search result (both have these fields). */
export type CardProduct = Readonly<{
  id: string;
  title: string;
  shopSlug: string;
  shopName: string;
  priceMin: Readonly<{ amount: number; currency: string }>;
  image: PictureImage | null;
}>;

/**
 * The `sizes` of a card's picture in `.product-grid`: about a quarter of the 72rem column on wide
 * screens, half the viewport on phones.
 */
export const CARD_SIZES = '(min-width: 72rem) 17rem, (min-width: 40rem) 30vw, 50vw';

/**
 * One product in a grid: picture, title (the link), shop, price. The title is the only link to
 * the product, so a keyboard or screen-reader user meets each product once; the whole card is
 * clickable through CSS (`.product-card a::after`).
 */
export function ProductCard(props: { product: CardProduct; eager?: boolean; headingLevel?: 2 | 3 }) {
  const p = props.product;
  const Heading = props.headingLevel === 2 ? 'h2' : 'h3';
  return (
    <article class="product-card">
      <ProductPicture image={p.image} sizes={CARD_SIZES} eager={props.eager} fallbackAlt={p.title} />
      <div class="product-card-body">
        <Heading class="product-card-title">
          <a href={`/products/${p.id}`}>{p.title}</a>
        </Heading>
        <p class="product-card-shop muted">by {p.shopName}</p>
        <p class="price">{formatMoney(p.priceMin)}</p>
      </div>
    </article>
  );
}

/** A grid of product cards; the first `eagerCount` (above the fold) load at once. */
export function ProductGrid(props: { products: ReadonlyArray<CardProduct>; eagerCount?: number; headingLevel?: 2 | 3; label?: string }) {
  const eager = props.eagerCount ?? 0;
  return (
    <ul class="product-grid" aria-label={props.label}>
      {props.products.map((p, i) => (
        <li key={p.id}>
          <ProductCard product={p} eager={i < eager} headingLevel={props.headingLevel} />
        </li>
      ))}
    </ul>
  );
}
