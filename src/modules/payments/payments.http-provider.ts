import { Agent, request } from 'undici';
import {
  ProviderRejectedError,
  ProviderUnavailableError,
  type ChargeRequest,
  type PaymentProvider,
  type ProviderChargeResult,
  type ProviderRefundResult,
  type RefundRequest,
} from './payments.provider.ts';

/**
 * The HTTP adapter for the provider protocol described in fake-provider.ts. It only translates:
 * timeouts, retries and the breaker are the caller's (payments.resilience.ts), so the adapter can
 * be contract-tested on its own. The signal carries the caller's per-attempt timeout.
 *
 * undici's `request` on an Agent of its own rather than the global `fetch`: one charge per paid
 * order makes this the worker's busiest outbound call, and fetch's WHATWG layers (streams, body
 * cloning) cost several times the CPU of the request itself (they were about a tenth of the worker's
 * busy time in the checkout bench's CPU profile). The Agent keeps connections alive between calls.
 */
export function createHttpProvider(baseUrl: string): PaymentProvider {
  const base = baseUrl.replace(/\/+$/, '');
  const agent = new Agent({ keepAliveTimeout: 4000 });

  async function post(path: string, body: unknown, signal: AbortSignal): Promise<{ status: number; json: Record<string, unknown> }> {
    let status: number;
    let text: string;
    try {
      const res = await request(`${base}${path}`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal,
      });
      status = res.statusCode;
      // Read whole (even an answer we cannot use), so the connection goes back to the pool.
      text = await res.body.text();
    } catch (err) {
      // Aborted by our timeout, connection refused or reset (a lost answer): the outcome is
      // unknown, and only a retry with the same idempotency key may learn it.
      const reason = signal.aborted ? 'timeout' : `network: ${(err as Error).message}`;
      throw new ProviderUnavailableError(reason);
    }
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      if (status < 500) throw new ProviderUnavailableError(`unreadable answer (${status})`);
    }
    if (status >= 500 || status === 429) throw new ProviderUnavailableError(`provider answered ${status}`);
    return { status, json };
  }

  return {
    async charge(request: ChargeRequest, signal: AbortSignal): Promise<ProviderChargeResult> {
      const { status, json } = await post('/v1/charges', request, signal);
      if (status !== 200 && status !== 201) throw new ProviderRejectedError(`charge refused (${status}): ${String(json.error)}`);
      const chargeId = String(json.id);
      return json.status === 'succeeded' ? { kind: 'succeeded', chargeId } : { kind: 'declined', chargeId, reason: 'card_declined' };
    },
    async refund(request: RefundRequest, signal: AbortSignal): Promise<ProviderRefundResult> {
      const { status, json } = await post('/v1/refunds', request, signal);
      if (status === 200 || status === 201) return { kind: 'succeeded', refundId: String(json.id) };
      // Nothing (left) to refund is a business answer, not a broken request.
      if (status === 404 || status === 422) return { kind: 'declined', reason: String(json.error) };
      throw new ProviderRejectedError(`refund refused (${status}): ${String(json.error)}`);
    },
  };
}
