import { useEffect, useState } from 'preact/hooks';

export type OrderStatusProps = Readonly<{ orderId: string; status: string; label: string }>;

/** How the customer reads each state (the same words the server renders). */
export const STATUS_LABELS: Readonly<Record<string, string>> = {
  pending_payment: 'Taking payment',
  paid: 'Paid',
  payment_failed: 'Payment failed',
  cancelled: 'Cancelled',
  fulfilled: 'Being prepared',
  shipped: 'Shipped',
  delivered: 'Delivered',
  refunded: 'Refunded',
};

const POLL_MS = 2000;

/**
 * An order's status that updates by itself while payment is being taken: asks the JSON API
 * (`GET /api/v1/orders/:id`, the session cookie) every 2 s and stops once the order has left
 * `pending_payment`. The status sits in a polite live region, so a screen reader announces the
 * change. Without a script the page shows a "Check again" link instead (a meta refresh would
 * reload the page under the reader's feet, and axe refuses it: WCAG 2.2.1).
 */
export default function OrderStatus(props: OrderStatusProps) {
  const [status, setStatus] = useState(props.status);
  const [live, setLive] = useState(false);
  useEffect(() => {
    setLive(true);
    if (status !== 'pending_payment') return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = () => {
      fetch(`/api/v1/orders/${encodeURIComponent(props.orderId)}`, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then((r) => {
          // Signed out or gone (4xx): asking again changes nothing, so stop; the link still works.
          if (r.status >= 400 && r.status < 500) stopped = true;
          return r.ok ? (r.json() as Promise<{ order: { status: string } }>) : null;
        })
        .then((body) => {
          if (stopped) return;
          if (body && body.order.status !== 'pending_payment') setStatus(body.order.status);
          else timer = setTimeout(poll, POLL_MS);
        })
        .catch(() => {
          if (!stopped) timer = setTimeout(poll, POLL_MS);
        });
    };
    timer = setTimeout(poll, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [status, props.orderId]);
  return (
    <div class="order-status">
      <p aria-live="polite" aria-atomic="true">
        {props.label}{' '}
        <strong class={`status status-${status}`} data-status={status}>
          {STATUS_LABELS[status] ?? status}
        </strong>
      </p>
      {status === 'pending_payment' && !live ? (
        <p class="muted">
          This usually takes a few seconds. <a href={`/account/orders/${props.orderId}`}>Check again</a>
        </p>
      ) : status === 'pending_payment' ? (
        <p class="muted">This usually takes a few seconds; this page updates by itself.</p>
      ) : null}
    </div>
  );
}
