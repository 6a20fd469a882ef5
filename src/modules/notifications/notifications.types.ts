/** Everything an email needs travels in the job, so notifications never reads other modules' data. */
export type OrderEmail = Readonly<{
  /** Unique per message: a re-run of the job with the same key never sends a second email. */
  messageKey: string;
  to: string;
  kind: 'order-confirmation' | 'seller-new-order' | 'order-refunded' | 'order-cancelled' | 'payment-failed';
  orderId: string;
  customerName: string;
  lines: ReadonlyArray<{ title: string; quantity: number; unitPrice: number }>;
  total: number;
  currency: string;
}>;

export const EMAIL_KINDS: ReadonlyArray<OrderEmail['kind']> = [
  'order-confirmation',
  'seller-new-order',
  'order-refunded',
  'order-cancelled',
  'payment-failed',
];

/** A message ready for a transport: the same object whichever way it leaves. */
export type RenderedEmail = Readonly<{
  messageKey: string;
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}>;
