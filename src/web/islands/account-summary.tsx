import { useEffect, useState } from 'preact/hooks';

/** What the header shows of the visitor: filled in from `GET /session-summary`, never cached HTML. */
export type SessionSummary = Readonly<{ name: string | null; cartCount: number }>;

/**
 * The header's account and cart links. The cached HTML has the anonymous version (a CDN serves it
 * to everyone); in the browser this island asks `/session-summary` (private, no-store) and shows
 * the signed-in name and the cart's count.
 */
export default function AccountSummary(props: { initial?: SessionSummary }) {
  const [summary, setSummary] = useState<SessionSummary>(props.initial ?? { name: null, cartCount: 0 });
  useEffect(() => {
    let live = true;
    const refresh = () =>
      fetch('/session-summary', { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then((r) => (r.ok ? (r.json() as Promise<SessionSummary>) : null))
        .then((s) => {
          if (live && s) setSummary(s);
        })
        .catch(() => undefined);
    const onChange = () => void refresh();
    onChange();
    // Other islands (add to cart) announce a change to the cart.
    addEventListener('atelier:cart-changed', onChange);
    return () => {
      live = false;
      removeEventListener('atelier:cart-changed', onChange);
    };
  }, []);
  return (
    <ul class="account-links">
      <li>
        {summary.name ? (
          <a href="/account">
            <span class="visually-hidden">Your account, signed in as </span>
            {summary.name}
          </a>
        ) : (
          <a href="/sign-in">Sign in</a>
        )}
      </li>
      <li>
        <a href="/cart" class="cart-link">
          Cart
          {summary.cartCount > 0 ? (
            <span class="cart-count">
              <span class="visually-hidden">, </span>
              {summary.cartCount}
              <span class="visually-hidden"> items</span>
            </span>
          ) : null}
        </a>
      </li>
    </ul>
  );
}
