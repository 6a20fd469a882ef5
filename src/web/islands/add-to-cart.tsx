import { useRef, useState } from 'preact/hooks';

/** Coarse stock as the public sees it (inventory's StockStatus); null when it could not be read. */
export type Stock = 'in_stock' | 'few_left' | 'sold_out' | null;

/** A variant as the product page offers it: prices already formatted on the server. */
export type VariantChoice = Readonly<{
  id: string;
  /** The option values (`M / indigo`), or the SKU for a variant without options. */
  label: string;
  /** The options in full (`size: M, colour: indigo`), empty without options. */
  detail: string;
  price: string;
  stock: Stock;
}>;

export type AddToCartProps = Readonly<{
  productId: string;
  title: string;
  /** What the variants differ by (`size`, `colour`): the choice's legend. */
  optionNames: readonly string[];
  variants: readonly VariantChoice[];
  /** The variant chosen at first: the first one on sale (null when all are sold out). */
  initialVariantId: string | null;
  maxQuantity: number;
}>;

export const STOCK_TEXT: Record<'in_stock' | 'few_left' | 'sold_out', string> = {
  in_stock: 'In stock',
  few_left: 'Only a few left',
  sold_out: 'Sold out',
};
const STOCK_CLASS = { in_stock: 'stock-ok', few_left: 'stock-low', sold_out: 'stock-out' } as const;

type Answer = Readonly<{ message: string; ok: boolean }>;

/**
 * The product page's buy form. Without a script it is a plain form (`POST /cart/lines`, then the
 * cart). With one, choosing a variant shows its price and stock, and adding posts the same form
 * in the background (asking for JSON), says so in a live region and announces
 * `atelier:cart-changed` so the header's count refreshes: no reload.
 */
export default function AddToCart(props: AddToCartProps) {
  const [chosen, setChosen] = useState<string | null>(props.initialVariantId);
  const [quantity, setQuantity] = useState('1');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const variant = props.variants.find((v) => v.id === chosen) ?? null;
  const soldOut = !variant || variant.stock === 'sold_out';
  const legend = props.optionNames.length > 0 ? `Choose ${props.optionNames.join(' and ')}` : 'Choose one';

  async function submit(event: Event) {
    event.preventDefault();
    if (!form.current || busy) return;
    setBusy(true);
    setAnswer(null);
    try {
      const body = new URLSearchParams();
      for (const [k, v] of new FormData(form.current)) if (typeof v === 'string') body.append(k, v);
      const res = await fetch('/cart/lines', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
        body,
      });
      const json = (await res.json()) as { message?: string; error?: { message?: string } };
      if (res.ok) {
        setAnswer({ ok: true, message: json.message ?? 'Added to your cart.' });
        dispatchEvent(new Event('atelier:cart-changed'));
      } else {
        setAnswer({ ok: false, message: json.error?.message ?? 'That could not be added. Please try again.' });
      }
    } catch {
      setAnswer({ ok: false, message: 'That could not be added: check your connection and try again.' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={form} id="buy" class="buy-form" method="post" action="/cart/lines" onSubmit={(e) => void submit(e)}>
      <input type="hidden" name="productId" value={props.productId} />
      <p class="price product-price">{variant ? variant.price : (props.variants[0]?.price ?? '')}</p>
      {variant?.stock ? (
        <p class={`stock ${STOCK_CLASS[variant.stock]}`} id="stock-status">
          {STOCK_TEXT[variant.stock]}
        </p>
      ) : !variant ? (
        <p class="stock stock-out" id="stock-status">
          Sold out
        </p>
      ) : null}
      {props.variants.length > 1 ? (
        <fieldset class="variant-choice">
          <legend>{legend}</legend>
          {props.variants.map((v) => (
            <label key={v.id} class={v.stock === 'sold_out' ? 'variant sold-out' : 'variant'}>
              <input
                type="radio"
                name="variantId"
                value={v.id}
                checked={v.id === chosen}
                disabled={v.stock === 'sold_out'}
                onChange={() => {
                  setChosen(v.id);
                  setAnswer(null);
                }}
              />
              <span class="variant-label">{v.label}</span>
              <span class="variant-price">{v.price}</span>
              {v.stock === 'sold_out' ? <span class="variant-stock">Sold out</span> : null}
            </label>
          ))}
        </fieldset>
      ) : (
        <>
          {props.variants[0]?.detail ? <p class="variant-single">{props.variants[0].detail}</p> : null}
          <input type="hidden" name="variantId" value={props.variants[0]?.id ?? ''} />
        </>
      )}
      <div class="buy-row">
        <div class="field quantity-field">
          <label for="quantity">Quantity</label>
          <input
            id="quantity"
            name="quantity"
            type="number"
            inputMode="numeric"
            min={1}
            max={props.maxQuantity}
            value={quantity}
            onInput={(e) => setQuantity((e.target as HTMLInputElement).value)}
            required
          />
        </div>
        <button
          type="submit"
          class="button add-button"
          disabled={soldOut || busy}
          aria-describedby={variant?.stock || !variant ? 'stock-status' : undefined}
        >
          {soldOut ? 'Sold out' : busy ? 'Adding…' : 'Add to cart'}
        </button>
      </div>
      <div class="buy-answer" role="status" aria-live="polite">
        {answer ? (
          <p class={answer.ok ? 'notice ok' : 'notice warn'}>
            {answer.message} {answer.ok ? <a href="/cart">View your cart</a> : null}
          </p>
        ) : null}
      </div>
    </form>
  );
}
