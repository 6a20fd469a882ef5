import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProviderUnavailableError } from './payments.provider.ts';
import { createResilience, DEFAULT_RESILIENCE } from './payments.resilience.ts';

/** The bulkhead around provider calls: at most `maxConcurrent` on the wire, `maxQueued` waiting, the rest refused at once. */
test('at most maxConcurrent calls run at once, maxQueued wait, and one more is refused as unavailable without being made', async () => {
  const resilience = createResilience({ ...DEFAULT_RESILIENCE, timeoutMs: 5000, maxConcurrent: 2, maxQueued: 1 });
  let running = 0;
  let peak = 0;
  let made = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const call = async () => {
    made++;
    running++;
    peak = Math.max(peak, running);
    await gate;
    running--;
    return 'ok';
  };
  const accepted = [resilience.run(call), resilience.run(call), resilience.run(call)];
  await assert.rejects(resilience.run(call), (err: unknown) => err instanceof ProviderUnavailableError && /in flight/.test(err.message));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(made, 2, 'the queued call waits for a slot');
  release();
  assert.deepEqual(await Promise.all(accepted), ['ok', 'ok', 'ok']);
  assert.equal(peak, 2);
  assert.equal(made, 3);
  // A refusal is not the provider failing: the breaker stays closed.
  assert.equal(resilience.state(), 'closed');
});
