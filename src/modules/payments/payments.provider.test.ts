import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeProvider, type FakeProvider } from './fake-provider.ts';
import { createHttpProvider } from './payments.http-provider.ts';
import { paymentProviderContract } from './payments.provider.contract.ts';
import { ProviderUnavailableError, type PaymentProvider } from './payments.provider.ts';

describe('HTTP provider adapter against the simulated provider', () => {
  let sim: FakeProvider;
  let provider: PaymentProvider;
  before(async () => {
    sim = await startFakeProvider({ behaviour: { declineAmountsEndingIn: 13 } });
    provider = createHttpProvider(sim.url);
  });
  after(async () => {
    await sim.close();
  });

  paymentProviderContract({ name: 'http+simulator', provider: () => provider, declinedAmount: 4513 });

  test('an outage, a 500 and a timeout are ProviderUnavailableError; the adapter itself does not retry', async () => {
    sim.configure({ outage: true });
    const before = sim.calls().charges;
    await assert.rejects(
      provider.charge({ idempotencyKey: 'o1', amount: 100, currency: 'USD', reference: 'o1' }, AbortSignal.timeout(2000)),
      ProviderUnavailableError,
    );
    assert.equal(sim.calls().charges - before, 1);
    sim.configure({ outage: false, errorRate: 1 });
    await assert.rejects(
      provider.charge({ idempotencyKey: 'o2', amount: 100, currency: 'USD', reference: 'o2' }, AbortSignal.timeout(2000)),
      ProviderUnavailableError,
    );
    sim.configure({ errorRate: 0, latencyMs: 300 });
    await assert.rejects(
      provider.charge({ idempotencyKey: 'o3', amount: 100, currency: 'USD', reference: 'o3' }, AbortSignal.timeout(50)),
      (err: Error) => err instanceof ProviderUnavailableError && err.message === 'timeout',
    );
    sim.configure({ latencyMs: 0 });
  });

  test('a connection refused is ProviderUnavailableError', async () => {
    const gone = createHttpProvider('http://127.0.0.1:1');
    await assert.rejects(
      gone.charge({ idempotencyKey: 'x', amount: 100, currency: 'USD', reference: 'x' }, AbortSignal.timeout(2000)),
      ProviderUnavailableError,
    );
  });
});
