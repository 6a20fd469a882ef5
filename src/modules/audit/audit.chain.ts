import { createHash } from 'node:crypto';

/**
 * The hash chain of the audit log: each entry's hash covers its own canonical content and the
 * previous entry's hash, so changing, removing or reordering an entry breaks every link after it.
 * Pure functions, so the command, the route and the tests check the chain the same way.
 */

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** An entry as it is hashed: every field an auditor relies on, including its place in the chain. */
export type ChainedContent = Readonly<{
  seq: number;
  eventId: string;
  occurredAt: string;
  actorId: string;
  actorRole: string;
  action: string;
  targetType: string;
  targetId: string;
  ip: string | null;
  userAgent: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  prevHash: string;
}>;

/**
 * JSON with object keys sorted at every depth: the same value always gives the same text, whatever
 * order its keys were written or read back in (jsonb reorders them).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of the entry's canonical content, `prevHash` included. */
export function entryHash(content: ChainedContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
