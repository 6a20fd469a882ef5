import { randomBytes } from 'node:crypto';

/**
 * Ids are UUIDv7 strings (time-ordered, so keyset pagination and B-tree inserts stay cheap).
 *
 * Rows that live in a customer shard carry their logical shard in the 12-bit `rand_a` field
 * (characters 15..17 of the string), so any order, session or cart id routes to its database with
 * no directory lookup. A customer id is placed by a hash of its own random bits, then carries the
 * result the same way. Written by hand because no UUID library lets a caller choose `rand_a`.
 */
export const MAX_LOGICAL_SHARDS = 4096;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function format(b: Buffer): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[b[i]!];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}

function v7(randA: number | null): string {
  const b = randomBytes(16);
  const ms = Date.now();
  b.writeUIntBE(ms, 0, 6);
  const a = randA ?? (b[6]! << 8) | b[7]!;
  b[6] = 0x70 | ((a >> 8) & 0x0f);
  b[7] = a & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  return format(b);
}

/** An id for a row in the catalog store (not sharded). */
export function newId(): string {
  return v7(null);
}

function assertShard(shard: number): void {
  if (!Number.isInteger(shard) || shard < 0 || shard >= MAX_LOGICAL_SHARDS) {
    throw new RangeError(`logical shard out of range: ${shard}`);
  }
}

/** An id for a row that lives in the given logical shard. */
export function newShardedId(logicalShard: number): string {
  assertShard(logicalShard);
  return v7(logicalShard);
}

/** FNV-1a over the id's random tail: stable, fast, evenly spread for random input. */
function hashTail(id: string): number {
  let h = 0x811c9dc5;
  const tail = id.slice(19);
  for (let i = 0; i < tail.length; i++) {
    h ^= tail.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A new customer id, placed by a hash of its random bits into one of `logicalShards`. */
export function newCustomerId(logicalShards: number): string {
  const draft = v7(0);
  const shard = hashTail(draft) % logicalShards;
  return draft.slice(0, 15) + shard.toString(16).padStart(3, '0') + draft.slice(18);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isId(value: string): boolean {
  return UUID_RE.test(value);
}

/** The logical shard a sharded id was minted for. */
export function shardOfId(id: string): number {
  return parseInt(id.slice(15, 18), 16);
}

/**
 * What a customer reads and quotes for an order: the last eight characters of its id, upper-case.
 * The order emails and the storefront's order pages both show it, so they must agree.
 */
export const orderReference = (orderId: string): string => orderId.slice(-8).toUpperCase();
