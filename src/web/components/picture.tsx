/**
 * A product image from the media module's sizes (modules/media/media.images.ts): each one fitted
 * inside a square of 200 (thumb), 600 (card) and 1600 (full) pixels, never enlarged. The browser
 * picks the smallest that fills the box (`srcset` with widths + `sizes`).
 *
 * `width`/`height` make a square box before the file arrives (no layout shift); the CSS
 * (`.product-picture`) keeps the box square and fits a non-square picture inside it.
 * Below the fold an image is `loading="lazy"`; the first one above the fold is `eager` with
 * `fetchpriority="high"`, the page's largest contentful paint.
 */
export type PictureUrls = Readonly<{ thumb: string; card?: string; full?: string }>;

/** Either a product's image (`urls`) or a list summary's card image (`thumb`, `card`). */
export type PictureImage = Readonly<{ alt: string; urls: PictureUrls }> | Readonly<{ alt: string; thumb: string; card: string }>;

export const MEDIA_WIDTHS = { thumb: 200, card: 600, full: 1600 } as const;

function urlsOf(image: PictureImage): PictureUrls {
  return 'urls' in image ? image.urls : { thumb: image.thumb, card: image.card };
}

/** `url 200w, url 600w, url 1600w` for the sizes the image has. */
export function srcsetOf(urls: PictureUrls): string {
  const parts = [`${urls.thumb} ${MEDIA_WIDTHS.thumb}w`];
  if (urls.card) parts.push(`${urls.card} ${MEDIA_WIDTHS.card}w`);
  if (urls.full) parts.push(`${urls.full} ${MEDIA_WIDTHS.full}w`);
  return parts.join(', ');
}

export function ProductPicture(props: {
  image: PictureImage | null;
  /** The `sizes` attribute: how wide the box is at each viewport width, e.g. `(min-width: 72rem) 18rem, 50vw`. */
  sizes: string;
  /** The first image above the fold: loaded at once, at high priority. */
  eager?: boolean;
  /** Text for a product with no image (its title): shown in an empty square box. */
  fallbackAlt?: string;
  class?: string;
}) {
  const cls = props.class ? `product-picture ${props.class}` : 'product-picture';
  if (!props.image) {
    return (
      <span class={`${cls} no-picture`} role="img" aria-label={props.fallbackAlt ?? 'No picture yet'}>
        <span aria-hidden="true">No picture yet</span>
      </span>
    );
  }
  const urls = urlsOf(props.image);
  // The largest size the image has is its `src` fallback for browsers without srcset.
  const src = urls.card ?? urls.full ?? urls.thumb;
  const box = urls.card ? MEDIA_WIDTHS.card : MEDIA_WIDTHS.thumb;
  return (
    <img
      class={cls}
      src={src}
      srcset={srcsetOf(urls)}
      sizes={props.sizes}
      alt={props.image.alt}
      width={box}
      height={box}
      loading={props.eager ? 'eager' : 'lazy'}
      decoding={props.eager ? undefined : 'async'}
      fetchpriority={props.eager ? 'high' : undefined}
    />
  );
}
