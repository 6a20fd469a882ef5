import { DomainError } from '../../shared/errors.ts';

/** Every error the payments module raises: only for callers' mistakes, never for provider trouble. */
export const paymentsErrors = {
  invalidOrderId: () => new DomainError('invalid', 'PAYMENTS_INVALID_ORDER_ID', 'The order id is not a valid id', 'orderId'),
  invalidAmount: () =>
    new DomainError('invalid', 'PAYMENTS_INVALID_AMOUNT', 'The amount must be a positive whole number of minor units', 'amount'),
  invalidCurrency: () => new DomainError('invalid', 'PAYMENTS_INVALID_CURRENCY', 'The currency must be an ISO 4217 code', 'currency'),
  invalidRefundKey: () =>
    new DomainError('invalid', 'PAYMENTS_INVALID_REFUND_KEY', 'The refund key must be 1 to 200 characters', 'refundKey'),
} as const;
