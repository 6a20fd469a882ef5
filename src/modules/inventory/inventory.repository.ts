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
/** A stock row after closeOrders, with what the close gave back to it. */
export type ClosedStockRow = StockRow & { freed: number; sold_now: number };

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
 * Commits or releases these orders' live reservations and moves the stock counters to match, in
 * ONE statement (one round trip; it replaces a transaction of begin, read, lock, close, write,
 * commit). Returns each changed stock row after the change with what it gave back: `freed` left
 * `reserved`, `sold` of it went to `sold`.
 *
 * The lock order is the one every inventory transaction keeps: `locked` takes the stock rows of the
 * orders' live reservations in variant_id order; the uncorrelated `(select count(*) from locked)`
 * in `moved`'s WHERE is an InitPlan, so all of them are locked before the first reservation row
 * is. The guards are the ones closeReservations had: `status = 'reserved'` is re-checked on the
 * newest row version under its lock (READ COMMITTED), so a concurrent commit or release of the same
 * order (another node, the sweeper) moves it once; and the counters move by the quantities that
 * actually moved (relative updates, also re-evaluated on the newest stock row), never by a value
 * read earlier. `moved` can only shrink from the reservations `locked` saw (a status never goes
 * back to reserved; rows inserted later are not in this statement's snapshot), so every stock row
 * updated was locked first.
 */
export function closeOrders(db: InventoryDb, committed: readonly string[], released: readonly string[]): Promise<ClosedStockRow[]> {
  const all = [...committed, ...released];
  return rows(
    db,
    sql<ClosedStockRow>`with locked as (
        select variant_id from inventory_stock
        where variant_id in (select variant_id from inventory_reservations where order_id = any(${all}::uuid[]) and status = 'reserved')
        order by variant_id for update
      ), moved as (
        update inventory_reservations
        set status = case when order_id = any(${[...committed]}::uuid[]) then 'committed' else 'released' end, updated_at = now()
        where order_id = any(${all}::uuid[]) and status = 'reserved' and (select count(*) from locked) >= 0
        returning variant_id, quantity, status
      ), delta as (
        select variant_id, sum(quantity)::bigint as freed, coalesce(sum(quantity) filter (where status = 'committed'), 0)::bigint as sold
        from moved group by variant_id
      )
      update inventory_stock s set reserved = s.reserved - d.freed, sold = s.sold + d.sold, updated_at = now()
      from delta d where s.variant_id = d.variant_id
      returning s.variant_id, s.on_hand, s.reserved, s.sold, s.low_stock_threshold, d.freed, d.sold as sold_now`,
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
