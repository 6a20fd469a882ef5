/**
 * The payments module: charges and refunds through a `PaymentProvider` behind a per-attempt
 * timeout, retry with jittered backoff and a circuit breaker, with every attempt recorded in the
 * order's shard. Other modules call `PaymentsService`; the job that drives an order's payment
 * belongs to orders, which owns the order state.
 */
import type { Logger } from 'pino';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import { createHttpProvider } from './payments.http-provider.ts';
import type { PaymentProvider } from './payments.provider.ts';
import { paymentsMigrations } from './payments.migrations.ts';
import { createResilience, DEFAULT_RESILIENCE, type ResilienceSettings } from './payments.resilience.ts';
import { createPaymentsService, type PaymentsService } from './payments.service.ts';

export {
  startFakeProvider,
  type FakeProvider,
  type ProviderBehaviour,
  type Charge,
  type Refund,
  type ProviderCalls,
} from './fake-provider.ts';
export type { ChargeOutcome, PaymentAttempt, PaymentsService } from './payments.service.ts';
export {
  MAX_CHARGE_AMOUNT,
  ProviderRejectedError,
  ProviderUnavailableError,
  type PaymentProvider,
  type ChargeRequest,
  type RefundRequest,
  type ProviderChargeResult,
  type ProviderRefundResult,
} from './payments.provider.ts';
export { paymentsMigrations };

export type PaymentsModule = ModuleDefinition & Readonly<{ service: PaymentsService }>;

export function createPayments(deps: {
  stores: Stores;
  settings: { providerUrl: string; timeoutMs: number } & Partial<Omit<ResilienceSettings, 'timeoutMs'>>;
  log: Logger;
  /** Another adapter than the HTTP one (tests). */
  provider?: PaymentProvider;
}): PaymentsModule {
  const { providerUrl, ...resilience } = deps.settings;
  const service = createPaymentsService({
    stores: deps.stores,
    provider: deps.provider ?? createHttpProvider(providerUrl),
    resilience: createResilience({ ...DEFAULT_RESILIENCE, ...resilience }),
    log: deps.log.child({ module: 'payments' }),
  });
  return { name: 'payments', migrations: paymentsMigrations, service };
}
