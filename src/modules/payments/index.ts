// STUB: the payments engineer replaces the implementation, keeping these names and types.
import type { Logger } from 'pino';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';
import type { Stores } from '../../platform/postgres/stores.ts';

export { startFakeProvider, type FakeProvider, type ProviderBehaviour, type Charge } from './fake-provider.ts';

/** What happened to a charge request, as far as the business is concerned. */
export type ChargeOutcome =
  | Readonly<{ kind: 'succeeded'; chargeId: string }>
  | Readonly<{ kind: 'declined'; reason: string }>
  /** Timed out, 5xx, or the circuit breaker is open: try again later with the same key. */
  | Readonly<{ kind: 'unavailable'; reason: string }>;

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
  breakerState(): string;
}>;

export type PaymentsModule = ModuleDefinition & Readonly<{ service: PaymentsService }>;
export const paymentsMigrations: ModuleMigrations = { module: 'payments' };

export function createPayments(_deps: {
  stores: Stores;
  settings: { providerUrl: string; timeoutMs: number };
  log: Logger;
}): PaymentsModule {
  const notYet = async (): Promise<never> => {
    throw new Error('payments not built yet');
  };
  return {
    name: 'payments',
    migrations: paymentsMigrations,
    service: { chargeOrder: notYet, refund: notYet, breakerState: () => 'closed' },
  };
}
