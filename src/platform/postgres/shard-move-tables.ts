/**
 * Every table that lives on the physical shard databases, and the column that tells which logical
 * shard a row belongs to (read from each module's `shard` migrations). The shard mover copies and
 * deletes rows by this list, so a table missing here would be left behind by a move: the mover
 * refuses to run while a shard database holds a table this list does not name, and a test checks
 * the list against a freshly migrated shard database.
 *
 * Tables of one `family` share the key value of a row set and are copied together, parents first
 * (foreign keys), deleted together, children first. The key column holds an id minted for the
 * logical shard (shared/ids.ts), or, for notifications_sent, a message key that contains one
 * (`order-confirmation:<order id>`): the first UUIDv7 in the text carries the shard.
 *
 * graphile-worker's own tables are not listed on purpose: jobs stay on the database that queued
 * them. Every job handler finds its rows through `stores.shards.forId(id)`, which follows the map,
 * so a job queued on the old database before a move still reaches the moved order, and a follow-up
 * job it enqueues lands on the new database. Moving the jobs themselves would race the workers
 * that have them locked, for no gain.
 */
export type ShardTable = Readonly<{
  family: string;
  table: string;
  key: string;
  /** Rows are copied in this order (identity columns are renumbered by the target, so this keeps their order). */
  orderBy?: string;
}>;

export const SHARD_TABLES: ReadonlyArray<ShardTable> = [
  // identity: accounts, and their sessions (which cascade from the account).
  { family: 'identity', table: 'identity_accounts', key: 'id' },
  { family: 'identity', table: 'identity_sessions', key: 'account_id' },
  { family: 'identity', table: 'identity_tokens', key: 'account_id' },
  { family: 'identity', table: 'identity_devices', key: 'account_id' },
  // cart: an account's or a guest's lines (guest ids are minted for a shard too).
  { family: 'cart', table: 'cart_lines', key: 'owner_id' },
  // orders: an order and everything that hangs off its id, including payment attempts.
  { family: 'orders', table: 'orders', key: 'id' },
  { family: 'orders', table: 'sub_orders', key: 'order_id' },
  { family: 'orders', table: 'order_lines', key: 'order_id' },
  { family: 'orders', table: 'order_events', key: 'order_id', orderBy: 'id' },
  { family: 'orders', table: 'order_refunds', key: 'order_id' },
  { family: 'orders', table: 'payment_attempts', key: 'order_id' },
  { family: 'idempotency', table: 'orders_idempotency', key: 'customer_id' },
  // The seller index lives in the SELLER's shard.
  { family: 'seller_index', table: 'orders_seller_index', key: 'seller_id' },
  { family: 'notifications', table: 'notifications_sent', key: 'message_key' },
  // webhooks: a seller's endpoints, their deliveries and attempts, all in the SELLER's shard.
  { family: 'webhooks', table: 'webhook_endpoints', key: 'seller_id' },
  { family: 'webhooks', table: 'webhook_deliveries', key: 'seller_id' },
  { family: 'webhooks', table: 'webhook_delivery_attempts', key: 'seller_id' },
];

/**
 * Tables on a shard database that are not customer rows and stay where they are: migration
 * bookkeeping, the mover's own tables, and the platform's per-database logs. The event log
 * (platform_event_log, platform/events.ts) is the history of events published on that database;
 * its ids are not sharded, and it is read by merging every database (readEventLog), so an event
 * stays exactly once in the union wherever it sits. A database emptied of shards keeps its log:
 * before removing it from the configuration, copy its event log to another database.
 */
export function isBookkeepingTable(name: string): boolean {
  return name.startsWith('migrations_') || name.startsWith('platform_');
}

export function shardFamilies(): Map<string, ShardTable[]> {
  const families = new Map<string, ShardTable[]>();
  for (const t of SHARD_TABLES) families.set(t.family, [...(families.get(t.family) ?? []), t]);
  return families;
}
