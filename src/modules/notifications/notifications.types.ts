/** Everything an email needs travels in the job, so notifications never reads other modules' data. */
export type OrderEmail = Readonly<{
  /** Unique per message: a re-run of the job with the same key never sends a second email. */
  messageKey: string;
  to: string;
  kind:
    | 'order-confirmation'
    | 'seller-new-order'
    | 'order-refunded'
    | 'order-cancelled'
    | 'payment-failed'
    | 'order-shipped'
    | 'order-delivered';
  orderId: string;
  customerName: string;
  lines: ReadonlyArray<{ title: string; quantity: number; unitPrice: number }>;
  /** Minor units: the order's (or sub-order's) total, or for 'order-refunded' the amount refunded. */
  total: number;
  currency: string;
  /** The parcel of an 'order-shipped' email: the carrier as the buyer reads it, and what tracks it. */
  shipment?: Readonly<{ carrier: string; trackingNumber: string | null; trackingUrl: string | null }>;
  /** The shop the email is about, when it is about one seller's part of the order. */
  shopName?: string;
}>;

export const EMAIL_KINDS: ReadonlyArray<OrderEmail['kind']> = [
  'order-confirmation',
  'seller-new-order',
  'order-refunded',
  'order-cancelled',
  'payment-failed',
  'order-shipped',
  'order-delivered',
];

/**
 * An email about an account rather than an order (identity's: verify the address, reset the
 * password, someone signed up with your address, your password changed). `link`, when set, is
 * the one thing the reader is asked to open; it may carry a single-use token, so it is never
 * logged and lives only in the job payload until the job completes.
 */
export type AccountEmail = Readonly<{
  messageKey: string;
  to: string;
  kind: 'account-verify-email' | 'account-exists' | 'account-password-reset' | 'account-password-changed';
  /** Routes the send log and any retry to the account's shard, as orderId does for order emails. */
  accountId: string;
  name: string;
  link: string | null;
}>;

export const ACCOUNT_EMAIL_KINDS: ReadonlyArray<AccountEmail['kind']> = [
  'account-verify-email',
  'account-exists',
  'account-password-reset',
  'account-password-changed',
];

/** Every email notifications sends. */
export type Email = OrderEmail | AccountEmail;

/** The sharded id whose database keeps the email's send log and its retries. */
export const shardKeyOf = (email: Email): string => ('orderId' in email ? email.orderId : email.accountId);

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
