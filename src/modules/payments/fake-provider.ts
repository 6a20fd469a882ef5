import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_CHARGE_AMOUNT } from './payments.provider.ts';

/**
 * A simulated payment provider: an external party, so it runs as its own HTTP server (started by
 * `atelier start`, by `atelier payment-provider`, or by tests) with the behaviour of a real one
 * that matters to us: latency, random errors, outages, declines, and idempotency keys (the same
 * key never charges twice). It records every charge so tests can count them.
 *
 * Protocol (JSON):
 *   POST /v1/charges { idempotencyKey, amount, currency, reference }
 *     201 { id, status: 'succeeded' | 'declined', amount, currency, reference }  (200 on a replay)
 *     400 bad request (`amount_too_large` above maxAmount), 409 same key with different amount,
 *     500/503 injected failures
 *   GET  /v1/charges?reference=R      every charge recorded (for tests)
 *   POST /v1/refunds { idempotencyKey, chargeReference, amount }   chargeReference = the charge's
 *        reference (or its id); refunds the succeeded charge, up to what is left of it
 *     201 { id, status: 'succeeded', chargeId, amount, currency, idempotencyKey }  (200 on a replay)
 *     404 no succeeded charge, 409 same key with a different amount, 422 more than is left to refund
 *   GET  /v1/refunds                  every refund recorded (for tests)
 *   PUT  /control { latencyMs?, errorRate?, outage?, declineAmountsEndingIn?, maxAmount? }   test control
 *   GET  /control
 */
export type ProviderBehaviour = {
  /** Added to every charge call. */
  latencyMs: number;
  /** Share of charge calls (0..1) that fail with 500 before anything is recorded. */
  errorRate: number;
  /** When true every call answers 503: the provider is down. */
  outage: boolean;
  /** Amounts (minor units) whose last two digits equal this are declined, like a test card. */
  declineAmountsEndingIn: number | null;
  /** Probability (0..1) that a successful charge's answer is lost after recording (client times out). */
  dropResponseRate: number;
  /**
   * The largest charge accepted, minor units; more is refused (400 `amount_too_large`), a final
   * answer. MAX_CHARGE_AMOUNT unless a test lowers it to make a provider refuse what checkout let through.
   */
  maxAmount: number;
};

export type Charge = Readonly<{
  id: string;
  idempotencyKey: string;
  amount: number;
  currency: string;
  reference: string;
  status: 'succeeded' | 'declined';
  createdAt: string;
}>;

export type Refund = Readonly<{
  id: string;
  idempotencyKey: string;
  chargeId: string;
  amount: number;
  currency: string;
  status: 'succeeded';
  createdAt: string;
}>;

/** How many requests reached each endpoint, failed ones included: tests prove a breaker kept calls away. */
export type ProviderCalls = { charges: number; refunds: number };

export type FakeProvider = Readonly<{
  url: string;
  port: number;
  charges(): ReadonlyArray<Charge>;
  refunds(): ReadonlyArray<Refund>;
  calls(): Readonly<ProviderCalls>;
  configure(change: Partial<ProviderBehaviour>): void;
  close(): Promise<void>;
}>;

const DEFAULTS: ProviderBehaviour = {
  latencyMs: 0,
  errorRate: 0,
  outage: false,
  declineAmountsEndingIn: null,
  dropResponseRate: 0,
  maxAmount: MAX_CHARGE_AMOUNT,
};
const MAX_BODY = 16 * 1024;

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch (err) {
        reject(err as Error);
      }
    });
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startFakeProvider(
  opts: { port?: number; host?: string; behaviour?: Partial<ProviderBehaviour> } = {},
): Promise<FakeProvider> {
  const behaviour: ProviderBehaviour = { ...DEFAULTS, ...opts.behaviour };
  const byKey = new Map<string, Charge>();
  const log: Charge[] = [];
  const refundsByKey = new Map<string, Refund>();
  const refundLog: Refund[] = [];
  const calls: ProviderCalls = { charges: 0, refunds: 0 };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://provider');
      try {
        if (url.pathname === '/control') {
          if (req.method === 'PUT') Object.assign(behaviour, (await readJson(req)) as Partial<ProviderBehaviour>);
          return send(res, 200, behaviour);
        }
        if (url.pathname === '/v1/charges' && req.method === 'GET') {
          const reference = url.searchParams.get('reference');
          return send(res, 200, { items: reference ? log.filter((c) => c.reference === reference) : log });
        }
        if (url.pathname === '/v1/refunds' && req.method === 'GET') return send(res, 200, { items: refundLog });
        if (url.pathname === '/v1/refunds' && req.method === 'POST') {
          calls.refunds += 1;
          const body = (await readJson(req)) as { idempotencyKey?: unknown; chargeReference?: unknown; amount?: unknown };
          if (behaviour.latencyMs > 0) await new Promise((r) => setTimeout(r, behaviour.latencyMs));
          if (behaviour.outage) return send(res, 503, { error: 'provider_unavailable' });
          if (Math.random() < behaviour.errorRate) return send(res, 500, { error: 'provider_error' });
          const { idempotencyKey, chargeReference, amount } = body;
          if (
            typeof idempotencyKey !== 'string' ||
            idempotencyKey.length === 0 ||
            typeof chargeReference !== 'string' ||
            !Number.isSafeInteger(amount) ||
            (amount as number) <= 0
          ) {
            return send(res, 400, { error: 'invalid_request' });
          }
          const existing = refundsByKey.get(idempotencyKey);
          if (existing) {
            if (existing.amount !== amount) return send(res, 409, { error: 'idempotency_key_reused' });
            return send(res, 200, existing);
          }
          const charge = log.find((c) => c.status === 'succeeded' && (c.id === chargeReference || c.reference === chargeReference));
          if (!charge) return send(res, 404, { error: 'charge_not_found' });
          const refunded = refundLog.filter((r) => r.chargeId === charge.id).reduce((sum, r) => sum + r.amount, 0);
          if (refunded + (amount as number) > charge.amount) return send(res, 422, { error: 'refund_exceeds_charge' });
          const refund: Refund = {
            id: `re_${randomUUID()}`,
            idempotencyKey,
            chargeId: charge.id,
            amount: amount as number,
            currency: charge.currency,
            status: 'succeeded',
            createdAt: new Date().toISOString(),
          };
          refundsByKey.set(idempotencyKey, refund);
          refundLog.push(refund);
          return send(res, 201, refund);
        }
        if (url.pathname === '/v1/charges' && req.method === 'POST') {
          calls.charges += 1;
          const body = (await readJson(req)) as Partial<Charge>;
          if (behaviour.latencyMs > 0) await new Promise((r) => setTimeout(r, behaviour.latencyMs));
          if (behaviour.outage) return send(res, 503, { error: 'provider_unavailable' });
          if (Math.random() < behaviour.errorRate) return send(res, 500, { error: 'provider_error' });
          const { idempotencyKey, amount, currency, reference } = body;
          if (
            typeof idempotencyKey !== 'string' ||
            idempotencyKey.length === 0 ||
            !Number.isSafeInteger(amount) ||
            (amount as number) <= 0 ||
            typeof currency !== 'string' ||
            typeof reference !== 'string'
          ) {
            return send(res, 400, { error: 'invalid_request' });
          }
          if ((amount as number) > behaviour.maxAmount) return send(res, 400, { error: 'amount_too_large' });
          const existing = byKey.get(idempotencyKey);
          if (existing) {
            if (existing.amount !== amount || existing.currency !== currency) return send(res, 409, { error: 'idempotency_key_reused' });
            return send(res, 200, existing);
          }
          const declined = behaviour.declineAmountsEndingIn !== null && (amount as number) % 100 === behaviour.declineAmountsEndingIn;
          const charge: Charge = {
            id: `ch_${randomUUID()}`,
            idempotencyKey,
            amount: amount as number,
            currency,
            reference,
            status: declined ? 'declined' : 'succeeded',
            createdAt: new Date().toISOString(),
          };
          byKey.set(idempotencyKey, charge);
          log.push(charge);
          // The charge happened, but the answer is lost: the client must retry with the same key.
          if (Math.random() < behaviour.dropResponseRate) {
            req.socket.destroy();
            return;
          }
          return send(res, 201, charge);
        }
        return send(res, 404, { error: 'not_found' });
      } catch {
        if (!res.headersSent) send(res, 400, { error: 'invalid_json' });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Error(`the simulated payment provider could not listen (set PAYMENT_PROVIDER_PORT): ${err.message}`)),
    );
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    charges: () => log,
    refunds: () => refundLog,
    calls: () => ({ ...calls }),
    configure: (change) => Object.assign(behaviour, change),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
