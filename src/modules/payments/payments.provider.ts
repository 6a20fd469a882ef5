/**
 * The port between payments and whoever moves the money. Deliberately narrow: one charge per
 * idempotency key and refunds of a charge, nothing about customers, cards or captures, because
 * that is all checkout needs. Every adapter passes the one contract in payments.provider.contract.ts.
 *
 * Expected business answers (succeeded, declined) are returned; trouble that a later retry with
 * the same key may cure is thrown as `ProviderUnavailableError`; an answer that no retry can
 * change (the provider refuses the request itself) is thrown as `ProviderRejectedError`.
 */
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
