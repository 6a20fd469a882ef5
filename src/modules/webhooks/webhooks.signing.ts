import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Delivery signatures: `Atelier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
 * keyed by the endpoint's secret (the whole `whsec_...` string, as UTF-8). The timestamp is inside
 * the signed text, so a receiver that also checks it is recent cannot be fed an old delivery again.
 */
export const SIGNATURE_HEADER = 'atelier-signature';
export const EVENT_HEADER = 'atelier-event';
export const DELIVERY_HEADER = 'atelier-delivery';

/** A receiver should refuse a signature older (or newer) than this. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new signing secret: 256 random bits. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The header value for a body sent at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/**
 * What a receiver does, in our tests and as the reference for docs/webhooks.md: parse the header,
 * recompute the HMAC over the raw body, compare in constant time, and check the timestamp.
 */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  opts: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(',').map((p) => {
      const eq = p.indexOf('=');
      return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(given)) return false;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  return timingSafeEqual(Buffer.from(hmac(secret, t, body), 'hex'), Buffer.from(given, 'hex'));
}
