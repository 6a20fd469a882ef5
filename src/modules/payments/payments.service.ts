import type { Logger } from 'pino';
import { view } from '../../platform/postgres/database.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import { isId, newShardedId, shardOfId } from '../../shared/ids.ts';
import { paymentsErrors } from './payments.errors.ts';
import { MAX_CHARGE_AMOUNT, ProviderRejectedError, ProviderUnavailableError, type PaymentProvider } from './payments.provider.ts';
import { insertAttempt, listAttempts, type AttemptRow, type PaymentTables } from './payments.repository.ts';
import type { Resilience } from './payments.resilience.ts';

/** What happened to a charge request, as far as the business is concerned. */
export type ChargeOutcome =
  | Readonly<{ kind: 'succeeded'; chargeId: string }>
  /** A final no: the card was declined, or the provider refuses the request itself (no retry can change it). */
  | Readonly<{ kind: 'declined'; reason: string }>
  /** Timed out, 5xx, or the circuit breaker is open: try again later with the same key. */
  | Readonly<{ kind: 'unavailable'; reason: string }>;

/** One recorded call to the provider, as tests and support see it. */
export type PaymentAttempt = Readonly<{
  id: string;
  orderId: string;
  kind: 'charge' | 'refund';
  idempotencyKey: string;
  providerChargeId: string | null;
  amount: number;
  currency: string;
  status: ChargeOutcome['kind'];
  error: string | null;
  createdAt: string;
}>;

export type PaymentsService = Readonly<{
  /**
   * Charges an order once: the provider idempotency key is the order id, so repeating the call
   * after a crash or a lost answer never charges twice. Records every attempt in the order's shard.
   * Never throws for provider trouble: that is the 'unavailable' outcome.
   */
  chargeOrder(input: { orderId: string; amount: number; currency: string }): Promise<ChargeOutcome>;
  /** Refunds (part of) a captured charge; idempotent per refund key. */
  refund(input: { orderId: string; refundKey: string; amount: number; currency: string }): Promise<ChargeOutcome>;
  /** 'closed' | 'open' | 'half_open': for /ready, metrics and tests. */
  breakerState(): 'closed' | 'open' | 'half_open';
  /** Every recorded charge and refund attempt of an order, oldest first. */
  attempts(orderId: string): Promise<ReadonlyArray<PaymentAttempt>>;
}>;

const CURRENCY_RE = /^[A-Z]{3}$/;
const MAX_ERROR_LENGTH = 500;

/** A caller's mistake (never a provider's answer): thrown, so it shows as the bug it is. */
function checkInput(orderId: string, amount: number, currency: string): void {
  if (typeof orderId !== 'string' || !isId(orderId)) throw paymentsErrors.invalidOrderId();
  if (!Number.isSafeInteger(amount) || amount <= 0) throw paymentsErrors.invalidAmount();
  if (typeof currency !== 'string' || !CURRENCY_RE.test(currency)) throw paymentsErrors.invalidCurrency();
}

export function createPaymentsService(deps: {
  stores: Stores;
  provider: PaymentProvider;
  resilience: Resilience;
  log: Logger;
}): PaymentsService {
  const { stores, provider, resilience, log } = deps;
  const shardDb = (orderId: string) => view<PaymentTables>(stores.shards.forId(orderId).db);
  // Concurrent calls for the same order in this process share one provider call: the provider
  // would dedupe them by key anyway, this just spares it (and the attempt log) the duplicates.
  const inFlight = new Map<string, Promise<ChargeOutcome>>();

  async function record(row: Omit<AttemptRow, 'id'>): Promise<void> {
    await insertAttempt(shardDb(row.order_id), { id: newShardedId(shardOfId(row.order_id)), ...row });
  }

  /** Provider trouble becomes an outcome; anything else (a bug, the database) propagates. */
  async function callProvider<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T | { kind: 'unavailable'; reason: string }> {
    try {
      return await resilience.run(call);
    } catch (err) {
      if (err instanceof ProviderUnavailableError) return { kind: 'unavailable', reason: err.message };
      throw err;
    }
  }

  async function charge(orderId: string, amount: number, currency: string): Promise<ChargeOutcome> {
    const base = { order_id: orderId, kind: 'charge' as const, idempotency_key: orderId, amount, currency };
    if (amount > MAX_CHARGE_AMOUNT) {
      // The provider is sure to refuse it, today and on every retry: a final answer, not an error
      // to retry (it used to throw, and the payment job retried it until the order's deadline).
      const reason = `amount_above_provider_limit: ${amount} > ${MAX_CHARGE_AMOUNT}`;
      await record({ ...base, provider_charge_id: null, status: 'declined', error: reason });
      return { kind: 'declined', reason: 'amount_above_provider_limit' };
    }
    let answer;
    try {
      answer = await callProvider((signal) => provider.charge({ idempotencyKey: orderId, amount, currency, reference: orderId }, signal));
    } catch (err) {
      if (!(err instanceof ProviderRejectedError)) throw err;
      // Same key with another amount, or a malformed request: no retry can change that answer.
      log.error({ err, orderId }, 'the payment provider rejected a charge request');
      await record({ ...base, provider_charge_id: null, status: 'declined', error: err.message.slice(0, MAX_ERROR_LENGTH) });
      return { kind: 'declined', reason: 'provider_rejected' };
    }
    if (answer.kind === 'unavailable') {
      await record({ ...base, provider_charge_id: null, status: 'unavailable', error: answer.reason.slice(0, MAX_ERROR_LENGTH) });
      return answer;
    }
    if (answer.kind === 'declined') {
      await record({ ...base, provider_charge_id: answer.chargeId, status: 'declined', error: answer.reason });
      return { kind: 'declined', reason: answer.reason };
    }
    await record({ ...base, provider_charge_id: answer.chargeId, status: 'succeeded', error: null });
    return { kind: 'succeeded', chargeId: answer.chargeId };
  }

  async function refundOnce(orderId: string, refundKey: string, amount: number, currency: string): Promise<ChargeOutcome> {
    const base = { order_id: orderId, kind: 'refund' as const, idempotency_key: refundKey, amount, currency };
    let answer;
    try {
      answer = await callProvider((signal) => provider.refund({ idempotencyKey: refundKey, chargeReference: orderId, amount }, signal));
    } catch (err) {
      if (!(err instanceof ProviderRejectedError)) throw err;
      log.error({ err, orderId, refundKey }, 'the payment provider rejected a refund request');
      await record({ ...base, provider_charge_id: null, status: 'declined', error: err.message.slice(0, MAX_ERROR_LENGTH) });
      return { kind: 'declined', reason: 'provider_rejected' };
    }
    if (answer.kind === 'succeeded') {
      await record({ ...base, provider_charge_id: answer.refundId, status: 'succeeded', error: null });
      return { kind: 'succeeded', chargeId: answer.refundId };
    }
    await record({ ...base, provider_charge_id: null, status: answer.kind, error: answer.reason.slice(0, MAX_ERROR_LENGTH) });
    return answer;
  }

  return {
    async chargeOrder({ orderId, amount, currency }) {
      checkInput(orderId, amount, currency);
      const key = `${orderId}:${amount}:${currency}`;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = charge(orderId, amount, currency).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },

    async refund({ orderId, refundKey, amount, currency }) {
      checkInput(orderId, amount, currency);
      if (amount > MAX_CHARGE_AMOUNT) throw paymentsErrors.invalidAmount(); // never charged, so never refunded
      if (typeof refundKey !== 'string' || refundKey.length === 0 || refundKey.length > 200) throw paymentsErrors.invalidRefundKey();
      // Concurrent retries of one refund in this process share one provider call, as charges do:
      // the provider would answer them all with the same refund, and the attempt log would list it
      // once per retry.
      const key = `refund:${orderId}:${refundKey}:${amount}:${currency}`;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = refundOnce(orderId, refundKey, amount, currency).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },

    breakerState: () => resilience.state(),

    async attempts(orderId) {
      if (!isId(orderId)) throw paymentsErrors.invalidOrderId();
      const rows = await listAttempts(shardDb(orderId), orderId);
      return rows.map((r) => ({
        id: r.id,
        orderId: r.order_id,
        kind: r.kind,
        idempotencyKey: r.idempotency_key,
        providerChargeId: r.provider_charge_id,
        amount: r.amount,
        currency: r.currency,
        status: r.status,
        error: r.error,
        createdAt: r.created_at.toISOString(),
      }));
    },
  };
}
