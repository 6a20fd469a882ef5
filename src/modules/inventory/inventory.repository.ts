import { sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * The inventory's queries; each takes the database or the current transaction first. Every
 * statement that locks more than one stock row locks them in variant_id order (lockStock), and
 * stock rows are always locked before reservation rows, so no two inventory transactions can
 * wait on each other in a cycle (no deadlocks, on one node or many).
 */
export type InventoryDb = Kysely<unknown>;

export type StockRow = { variant_id: string; on_hand: number; reserved: number; sold: number; low_stock_threshold: number };
export type ReservationStatus = 'reserved' | 'committed' | 'released';
export type ReservationRow = { order_id: string; variant_id: string; quantity: number; status: ReservationStatus };

const rows = async <T>(db: InventoryDb, q: RawBuilder<T>): Promise<T[]> => (await q.execute(db)).rows;
const STOCK_COLUMNS = sql`variant_id, on_hand, reserved, sold, low_stock_threshold`;

/** Locks the stock rows of these variants, in variant_id order; variants without a row are absent. */
export function lockStock(db: InventoryDb, variantIds: readonly string[]): Promise<StockRow[]> {
  return rows(
    db,
    sql<StockRow>`select ${STOCK_COLUMNS} from inventory_stock where variant_id = any(${[...variantIds]}::uuid[])
      order by variant_id for update`,
  );
}

export function readStock(db: InventoryDb, variantIds: readonly string[]): Promise<StockRow[]> {
  return rows(db, sql<StockRow>`select ${STOCK_COLUMNS} from inventory_stock where variant_id = any(${[...variantIds]}::uuid[])`);
}

/** Writes new counters for many rows in one statement (the batch's single UPDATE). */
export function writeCounters(
  db: InventoryDb,
  updates: ReadonlyArray<{ variant_id: string; reserved: number; sold: number }>,
): Promise<unknown> {
  return sql`update inventory_stock s set reserved = x.reserved, sold = x.sold, updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as x(variant_id uuid, reserved bigint, sold bigint)
    where s.variant_id = x.variant_id`.execute(db);
}

/** Reservations of these orders, whatever their status. */
export function reservationsOf(db: InventoryDb, orderIds: readonly string[]): Promise<ReservationRow[]> {
  return rows(
    db,
    sql<ReservationRow>`select order_id, variant_id, quantity, status from inventory_reservations
      where order_id = any(${[...orderIds]}::uuid[])`,
  );
}

/** All of a batch's new reservation rows in one INSERT; returns how many were new (an existing row is left alone). */
export async function insertReservations(
  db: InventoryDb,
  items: ReadonlyArray<{ order_id: string; variant_id: string; quantity: number; expires_at: string }>,
): Promise<number> {
  const result = await sql`insert into inventory_reservations (order_id, variant_id, quantity, expires_at)
    select x.order_id, x.variant_id, x.quantity, x.expires_at
    from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as x(order_id uuid, variant_id uuid, quantity int, expires_at timestamptz)
    on conflict (order_id, variant_id) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Moves these orders' live reservations to `to` and returns the rows that moved. The status test
 * in the WHERE clause is the idempotency guard: a second commit (or a commit racing a release)
 * finds no 'reserved' rows once the first has committed, so the counters move exactly once.
 */
export function closeReservations(db: InventoryDb, orderIds: readonly string[], to: 'committed' | 'released'): Promise<ReservationRow[]> {
  return rows(
    db,
    sql<ReservationRow>`update inventory_reservations set status = ${to}, updated_at = now()
      where order_id = any(${[...orderIds]}::uuid[]) and status = 'reserved'
      returning order_id, variant_id, quantity, status`,
  );
}

export function extendReservations(db: InventoryDb, orderId: string, expiresAt: Date): Promise<unknown> {
  return sql`update inventory_reservations set expires_at = greatest(expires_at, ${expiresAt}), updated_at = now()
    where order_id = ${orderId} and status = 'reserved'`.execute(db);
}

export function expiredOrders(db: InventoryDb, now: Date, limit: number): Promise<Array<{ order_id: string; expires_at: Date }>> {
  return rows(
    db,
    sql<{ order_id: string; expires_at: Date }>`select order_id, min(expires_at) as expires_at from inventory_reservations
      where status = 'reserved' and expires_at < ${now}
      group by order_id order by min(expires_at), order_id limit ${limit}`,
  );
}

/** Adds to on_hand, creating rows as needed; returns the rows after the change. Ids must be distinct. */
export function addOnHand(db: InventoryDb, lines: ReadonlyArray<{ variant_id: string; quantity: number }>): Promise<StockRow[]> {
  return rows(
    db,
    sql<StockRow>`insert into inventory_stock as s (variant_id, on_hand)
      select x.variant_id, x.quantity from jsonb_to_recordset(${JSON.stringify(lines)}::jsonb) as x(variant_id uuid, quantity bigint)
      order by x.variant_id
      on conflict (variant_id) do update set on_hand = s.on_hand + excluded.on_hand, updated_at = now()
      returning ${STOCK_COLUMNS}`,
  );
}

export function insertEmptyStock(db: InventoryDb, variantId: string): Promise<unknown> {
  return sql`insert into inventory_stock (variant_id) values (${variantId}) on conflict (variant_id) do nothing`.execute(db);
}

export function writeOnHand(db: InventoryDb, variantId: string, onHand: number): Promise<StockRow[]> {
  return rows(
    db,
    sql<StockRow>`update inventory_stock set on_hand = ${onHand}, updated_at = now() where variant_id = ${variantId} returning ${STOCK_COLUMNS}`,
  );
}

export function oversold(db: InventoryDb): Promise<StockRow[]> {
  return rows(db, sql<StockRow>`select ${STOCK_COLUMNS} from inventory_stock where sold + reserved > on_hand order by variant_id`);
}

/** PostgreSQL's check_violation: a write the CHECK constraints refused. */
export function isCheckViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23514';
}
