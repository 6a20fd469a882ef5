import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { ProviderRejectedError, type PaymentProvider } from './payments.provider.ts';

/**
 * The one contract every PaymentProvider adapter must pass (not itself a test file: adapter tests
 * call it). `declinedAmount` is an amount the provider under test is set up to decline.
 */
export function paymentProviderContract(opts: { name: string; provider: () => PaymentProvider; declinedAmount: number }): void {
  const signal = () => AbortSignal.timeout(5000);
  const key = () => `contract-${randomUUID()}`;

  test(`${opts.name}: a charge succeeds, and the same key and amount give the same charge`, async () => {
    const k = key();
    const first = await opts.provider().charge({ idempotencyKey: k, amount: 1250, currency: 'USD', reference: k }, signal());
    assert.equal(first.kind, 'succeeded');
    const again = await opts.provider().charge({ idempotencyKey: k, amount: 1250, currency: 'USD', reference: k }, signal());
    assert.deepEqual(again, first);
  });

  test(`${opts.name}: a declined charge is an answer, not an error`, async () => {
    const k = key();
    const result = await opts
      .provider()
      .charge({ idempotencyKey: k, amount: opts.declinedAmount, currency: 'USD', reference: k }, signal());
    assert.equal(result.kind, 'declined');
  });

  test(`${opts.name}: the same key with another amount is rejected`, async () => {
    const k = key();
    await opts.provider().charge({ idempotencyKey: k, amount: 1000, currency: 'USD', reference: k }, signal());
    await assert.rejects(
      opts.provider().charge({ idempotencyKey: k, amount: 2000, currency: 'USD', reference: k }, signal()),
      ProviderRejectedError,
    );
  });

  test(`${opts.name}: refunds are idempotent per key and never exceed the charge`, async () => {
    const ref = key();
    await opts.provider().charge({ idempotencyKey: ref, amount: 1000, currency: 'USD', reference: ref }, signal());
    const r1 = await opts.provider().refund({ idempotencyKey: `${ref}:r1`, chargeReference: ref, amount: 600 }, signal());
    assert.equal(r1.kind, 'succeeded');
    assert.deepEqual(await opts.provider().refund({ idempotencyKey: `${ref}:r1`, chargeReference: ref, amount: 600 }, signal()), r1);
    const tooMuch = await opts.provider().refund({ idempotencyKey: `${ref}:r2`, chargeReference: ref, amount: 500 }, signal());
    assert.equal(tooMuch.kind, 'declined');
    const rest = await opts.provider().refund({ idempotencyKey: `${ref}:r3`, chargeReference: ref, amount: 400 }, signal());
    assert.equal(rest.kind, 'succeeded');
  });

  test(`${opts.name}: a refund of an unknown charge is declined`, async () => {
    const result = await opts.provider().refund({ idempotencyKey: key(), chargeReference: key(), amount: 100 }, signal());
    assert.equal(result.kind, 'declined');
  });
}
