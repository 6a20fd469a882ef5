/**
 * The port between payments and whoever moves the money. Deliberately narrow: one charge per
 * idempotency key and refunds of a charge, nothing about customers, cards or captures, because
 * that is all checkout needs. Every adapter passes the one contract in payments.provider.contract.ts.
 *
 * Expected business answers (succeeded, declined) are returned; trouble that a later retry with
 * the same key may cure is thrown as `ProviderUnavailableError`; an answer that no retry can
 * change (the provider refuses the request itself) is thrown as `ProviderRejectedError`.
 */
/**
 * The largest charge, in minor units of any currency, the payment provider accepts (its simulator
 * refuses more with 400 `amount_too_large`, as a real provider does). Checkout refuses an order
 * whose total is above it (422 ORDERS_TOTAL_ABOVE_PAYMENT_LIMIT) and the payments service never
 * sends one: such an order could never be paid, and would only hold its stock until the payment
 * deadline. One hundred million in major units, the same as the largest price (shared/money.ts),
 * so a single unit of any variant can always be bought.
 */
export const MAX_CHARGE_AMOUNT = 100_000_000_00;

export type ChargeRequest = Readonly<{ idempotencyKey: string; amount: number; currency: string; reference: string }>;
export type RefundRequest = Readonly<{ idempotencyKey: string; chargeReference: string; amount: number }>;

export type ProviderChargeResult =
  Readonly<{ kind: 'succeeded'; chargeId: string }> | Readonly<{ kind: 'declined'; chargeId: string; reason: string }>;

export type ProviderRefundResult = Readonly<{ kind: 'succeeded'; refundId: string }> | Readonly<{ kind: 'declined'; reason: string }>;

export interface PaymentProvider {
  /** Same key, same amount: the same charge, however often it is asked. */
  charge(request: ChargeRequest, signal: AbortSignal): Promise<ProviderChargeResult>;
  /** Same key, same amount: the same refund. More than is left of the charge is declined. */
  refund(request: RefundRequest, signal: AbortSignal): Promise<ProviderRefundResult>;
}

/** Timeout, connection failure, 5xx, or the breaker is open: try again later with the same key. */
export class ProviderUnavailableError extends Error {
  override name = 'ProviderUnavailableError';
}

/** The provider refused the request as such (4xx other than a decline): retrying cannot help. */
export class ProviderRejectedError extends Error {
  override name = 'ProviderRejectedError';
}
