import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Logger } from 'pino';
import type { DomainEvent } from '../../platform/events.ts';
import { view } from '../../platform/postgres/database.ts';
import { isId as isUuid } from '../../shared/ids.ts';
import { CART_EVENTS, type CartStartedPayload } from '../cart/index.ts';
import type { CatalogService, VariantForSale } from '../catalog/index.ts';
import { INVENTORY_EVENTS, type StockLowPayload } from '../inventory/index.ts';
import { ORDER_PAID_EVENT, type OrderPaidPayload } from '../orders/index.ts';
import type { ReportingTables } from './reporting.tables.ts';

/** The subscriber name reporting's handlers use, and the key of their processed-events rows. */
export const REPORTING_SUBSCRIBER = 'reporting';

/** The events the read models are built from (all logged, so a rebuild can replay them). */
export const PROJECTED_EVENTS = [ORDER_PAID_EVENT, INVENTORY_EVENTS.stockLow, CART_EVENTS.started] as const;

type Parsed =
  | { kind: 'order.paid'; at: string; p: OrderPaidPayload }
  | { kind: 'stock.low'; at: string; p: StockLowPayload }
  | { kind: 'cart.started'; at: string; p: CartStartedPayload };

/** What the handlers look up in the catalog before their transaction: variant -> product, shop, seller, title. */
export type Lookups = ReadonlyMap<string, VariantForSale>;

const isId = (v: unknown): v is string => typeof v === 'string' && isUuid(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isCurrency = (v: unknown): v is string => typeof v === 'string' && /^[A-Z]{3}$/.test(v);

/** Checks an event's payload (the log and job payloads are JSON); null when it is not one we can apply. */
export function parseEvent(event: DomainEvent): Parsed | null {
  const at = event.occurredAt;
  const p = event.payload as Record<string, unknown>;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || !isId(event.id)) return null;
  switch (event.type) {
    case ORDER_PAID_EVENT: {
      const subs = p.subOrders;
      const lines = p.lines;
      if (!isId(p.orderId) || !isId(p.customerId) || !isCount(p.total) || !isCurrency(p.currency)) return null;
      if (!Array.isArray(subs) || !Array.isArray(lines)) return null;
      const subsOk = subs.every((s: Record<string, unknown>) => isId(s.id) && isId(s.shopId) && isId(s.sellerId) && isCount(s.total));
      const linesOk = lines.every(
        (l: Record<string, unknown>) => isId(l.variantId) && isId(l.productId) && isCount(l.quantity) && isCount(l.unitPrice),
      );
      return subsOk && linesOk ? { kind: 'order.paid', at, p: p as unknown as OrderPaidPayload } : null;
    }
    case INVENTORY_EVENTS.stockLow:
      return isId(p.variantId) && typeof p.available === 'number' && isCount(p.threshold)
        ? { kind: 'stock.low', at, p: p as unknown as StockLowPayload }
        : null;
    case CART_EVENTS.started:
      return isId(p.ownerId) &&
        (p.ownerKind === 'account' || p.ownerKind === 'guest') &&
        (p.mergedGuestId === null || isId(p.mergedGuestId)) &&
        typeof p.intoOpenCart === 'boolean'
        ? { kind: 'cart.started', at, p: p as unknown as CartStartedPayload }
        : null;
    default:
      return null;
  }
}

type Row<T extends keyof ReportingTables> = ReportingTables[T] & {};

/** The tables of running sums, and which of their columns are the sums. */
type SumTable = 'reporting_seller_daily' | 'reporting_seller_products' | 'reporting_platform_minutes' | 'reporting_platform_daily';
type SumColumn<T extends SumTable> = { [C in keyof Row<T>]: Row<T>[C] extends number ? C : never }[keyof Row<T>] & string;

/** The tables several events update the same rows of (sums, latest values): written last, in one statement. */
type SharedTable = SumTable | 'reporting_product_titles' | 'reporting_stock_alerts';

/** One `insert ... on conflict (key) do update` of the final statement: at most one row per key, sorted by key. */
type Upsert = {
  table: SharedTable;
  key: ReadonlyArray<string>;
  /** The `set ...` (and optional `where ...`) after `do update`. */
  update: RawBuilder<unknown>;
  rows: ReadonlyArray<Record<string, unknown>>;
};

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The upsert adding rows into a table of sums: `sum = sum + excluded.sum`. Rows that share a key
 * are added up in memory first, so the multi-row upsert never touches one row twice; and sorted by
 * key, so two transactions lock the rows they share in the same order (no deadlock between two
 * orders). The key is named once, here, for both the in-memory grouping and the conflict target.
 */
function sums<T extends SumTable>(
  table: T,
  key: ReadonlyArray<keyof Row<T> & string>,
  sumColumns: ReadonlyArray<SumColumn<T>>,
  rows: ReadonlyArray<Row<T>>,
): Upsert {
  const merged = new Map<string, Record<string, unknown>>();
  for (const row of rows as ReadonlyArray<Record<string, unknown>>) {
    const k = key.map((c) => String(row[c])).join('|');
    const seen = merged.get(k);
    if (!seen) merged.set(k, { ...row });
    else for (const c of sumColumns) (seen[c] as number) += row[c] as number;
  }
  return {
    table,
    key,
    update: sql`set ${sql.join(sumColumns.map((c) => sql`${sql.ref(c)} = ${sql.ref(`${table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`))}`,
    rows: [...merged].sort(([a], [b]) => byKey(a, b)).map(([, r]) => r),
  };
}

/**
 * Writes the shared tables' rows with ONE statement, one data-modifying CTE per table, each an
 * `insert ... select from jsonb_populate_recordset(null::<table>, <rows as JSON>) on conflict (key)
 * do update` (the JSON read back with the table's own column types). These are the rows
 * every paid order updates (a seller's day, the platform's day and minute): a transaction locks
 * them only in its last statement, so it holds them for that statement and the COMMIT, not across
 * the round trips of the statements before (which wait on this process's event loop).
 *
 * Lock order is the same in every transaction: the tables in the order given (each CTE starts only
 * once the one before has run to completion: its rows are counted first, a one-time filter), and
 * within a table the rows sorted by key. Tables without rows are left out.
 */
async function upsertShared(trx: Kysely<ReportingTables>, upserts: ReadonlyArray<Upsert>): Promise<void> {
  const parts = upserts.filter((u) => u.rows.length > 0);
  if (parts.length === 0) return;
  const ctes = parts.map((u, i) => {
    // The rows of a table all have its columns (Row<T>), and only those.
    const cols = sql.join(Object.keys(u.rows[0]!).map((c) => sql.ref(c)));
    const after = i === 0 ? sql`` : sql`where (select count(*) from ${sql.ref(`w${i - 1}`)}) >= 0`;
    return sql`${sql.ref(`w${i}`)} as (
      insert into ${sql.table(u.table)} (${cols})
      select ${cols} from jsonb_populate_recordset(null::${sql.table(u.table)}, ${JSON.stringify(u.rows)}::jsonb)
      ${after}
      on conflict (${sql.join(u.key.map((c) => sql.ref(c)))}) do update ${u.update}
      returning 1
    )`;
  });
  await sql`with ${sql.join(ctes)} select count(*) as n from ${sql.ref(`w${parts.length - 1}`)}`.execute(trx);
}

/** The rows a batch of events adds, gathered in memory: one statement per table of its own rows, one for the shared ones. */
type Delta = {
  sellerDaily: Array<Row<'reporting_seller_daily'>>;
  sellerProducts: Array<Row<'reporting_seller_products'>>;
  titles: Map<string, string>;
  platformMinutes: Array<Row<'reporting_platform_minutes'> & { minute: string }>;
  platformDaily: Array<Row<'reporting_platform_daily'>>;
  customerOrders: Array<Row<'reporting_customer_orders'>>;
  stockAlerts: Map<string, Row<'reporting_stock_alerts'> & { raised_at: string }>;
  cartStarts: Array<Row<'reporting_cart_starts'>>;
};

const emptyDelta = (): Delta => ({
  sellerDaily: [],
  sellerProducts: [],
  titles: new Map(),
  platformMinutes: [],
  platformDaily: [],
  customerOrders: [],
  stockAlerts: new Map(),
  cartStarts: [],
});

/** reporting_cart_starts' row for a cart.started event. */
function cartStartRow(id: string, parsed: Extract<Parsed, { kind: 'cart.started' }>) {
  return {
    event_id: id,
    owner_id: parsed.p.ownerId,
    owner_kind: parsed.p.ownerKind,
    started_at: parsed.at,
    merged_guest_id: parsed.p.mergedGuestId,
    into_open_cart: parsed.p.intoOpenCart,
  };
}

/**
 * The event handlers that build reporting's read models. A batch of events (those of one type
 * published within a batch window, from a job; up to a few hundred, from a rebuild) is applied in one transaction on the catalog store together with
 * their processed-events rows, so at-least-once delivery (and a replay of the log) applies each
 * event exactly once. Catalog lookups (which seller sold a line, product titles, the seller of a
 * low variant) happen before the transaction, so it holds no lock while waiting on another query.
 *
 * Every table is a sum or a "latest by time" value, so the result does not depend on the order in
 * which events are applied, nor on how they are grouped into batches.
 */
export function createProjections(deps: { db: Kysely<unknown>; catalog: CatalogService; log: Logger }) {
  const { db, catalog, log } = deps;

  async function lookups(events: ReadonlyArray<Parsed>): Promise<Lookups> {
    const ids = new Set<string>();
    for (const e of events) {
      if (e.kind === 'order.paid') for (const l of e.p.lines) ids.add(l.variantId);
      else if (e.kind === 'stock.low') ids.add(e.p.variantId);
    }
    if (ids.size === 0) return new Map();
    return new Map((await catalog.getVariants([...ids])).map((v) => [v.variantId, v]));
  }

  function addOrderPaid(d: Delta, at: string, p: OrderPaidPayload, found: Lookups): void {
    const day = at.slice(0, 10);
    const sellerOfShop = new Map(p.subOrders.map((s) => [s.shopId, s.sellerId]));
    const onlySeller = p.subOrders.length === 1 ? p.subOrders[0]!.sellerId : null;
    for (const s of p.subOrders) d.sellerDaily.push({ seller_id: s.sellerId, day, currency: p.currency, orders: 1, revenue: s.total });
    // The payload's lines carry no shop: the catalog says which shop (so which sub-order's seller)
    // sold each variant. A variant deleted since is credited to the only seller of a one-shop order,
    // and left out of top products otherwise (its revenue still counts in the daily figures).
    for (const l of p.lines) {
      const v = found.get(l.variantId);
      const seller = (v && sellerOfShop.get(v.shopId)) ?? onlySeller;
      if (!seller) {
        log.warn({ variantId: l.variantId }, 'reporting: cannot tell which seller sold a line; left out of top products');
        continue;
      }
      if (v) d.titles.set(l.productId, v.productTitle);
      d.sellerProducts.push({
        seller_id: seller,
        day,
        product_id: l.productId,
        currency: p.currency,
        units: l.quantity,
        revenue: l.quantity * l.unitPrice,
      });
    }
    d.platformMinutes.push({ minute: `${at.slice(0, 16)}:00.000Z`, currency: p.currency, orders: 1, gross: p.total });
    d.platformDaily.push({ day, currency: p.currency, orders: 1, gross: p.total });
    d.customerOrders.push({ order_id: p.orderId, customer_id: p.customerId, paid_at: at });
  }

  function addStockLow(d: Delta, eventId: string, at: string, p: StockLowPayload, found: Lookups): void {
    const v = found.get(p.variantId);
    if (!v) {
      log.info({ variantId: p.variantId }, 'reporting: stock.low for a variant the catalog no longer has; no alert');
      return;
    }
    const seen = d.stockAlerts.get(p.variantId);
    const newer = !seen || at > seen.raised_at || (at === seen.raised_at && eventId > seen.event_id);
    if (newer) {
      d.stockAlerts.set(p.variantId, {
        variant_id: p.variantId,
        seller_id: v.sellerId,
        product_id: v.productId,
        sku: v.sku,
        available: p.available,
        threshold: p.threshold,
        raised_at: at,
        event_id: eventId,
      });
    }
    d.titles.set(v.productId, v.productTitle);
  }

  /**
   * Writes a batch's rows: first the rows no other event touches (one per order, one per cart),
   * then, as the transaction's last statement, the rows events share (upsertShared).
   */
  async function write(trx: Kysely<ReportingTables>, d: Delta): Promise<void> {
    if (d.customerOrders.length > 0) {
      await trx
        .insertInto('reporting_customer_orders')
        .values(d.customerOrders)
        .onConflict((oc) => oc.column('order_id').doNothing())
        .execute();
    }
    if (d.cartStarts.length > 0) {
      await trx
        .insertInto('reporting_cart_starts')
        .values(d.cartStarts)
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    }
    await upsertShared(trx, [
      sums('reporting_seller_daily', ['seller_id', 'day', 'currency'], ['orders', 'revenue'], d.sellerDaily),
      sums('reporting_seller_products', ['seller_id', 'day', 'product_id', 'currency'], ['units', 'revenue'], d.sellerProducts),
      {
        table: 'reporting_product_titles',
        key: ['product_id'],
        update: sql`set title = excluded.title`,
        rows: [...d.titles].sort(([a], [b]) => byKey(a, b)).map(([product_id, title]) => ({ product_id, title })),
      },
      sums('reporting_platform_minutes', ['minute', 'currency'], ['orders', 'gross'], d.platformMinutes),
      sums('reporting_platform_daily', ['day', 'currency'], ['orders', 'gross'], d.platformDaily),
      {
        // The latest alert per variant wins, whatever order the events arrive in (jobs for one
        // variant coalesce, and a rebuild replays every event): ties on time go to the larger event id.
        table: 'reporting_stock_alerts',
        key: ['variant_id'],
        update: sql`set seller_id = excluded.seller_id, product_id = excluded.product_id, sku = excluded.sku,
          available = excluded.available, threshold = excluded.threshold, raised_at = excluded.raised_at,
          event_id = excluded.event_id
          where (excluded.raised_at, excluded.event_id) > (reporting_stock_alerts.raised_at, reporting_stock_alerts.event_id)`,
        rows: [...d.stockAlerts.values()].sort((a, b) => byKey(a.variant_id, b.variant_id)),
      },
    ]);
  }

  /**
   * Applies, in the caller's transaction, the events not applied before (their processed-events
   * rows are inserted first: the ones that already existed are left out); returns how many were.
   */
  async function applyAll(trx: Kysely<unknown>, events: ReadonlyArray<{ id: string; parsed: Parsed }>, found: Lookups): Promise<number> {
    if (events.length === 0) return 0;
    const t = view<ReportingTables>(trx);
    const ids = [...new Set(events.map((e) => e.id))].sort();
    const fresh = new Set(
      (
        await t
          .insertInto('reporting_processed_events')
          .values(ids.map((event_id) => ({ event_id, subscriber: REPORTING_SUBSCRIBER })))
          .onConflict((oc) => oc.columns(['event_id', 'subscriber']).doNothing())
          .returning('event_id')
          .execute()
      ).map((r) => r.event_id),
    );
    const d = emptyDelta();
    let applied = 0;
    for (const { id, parsed } of events) {
      if (!fresh.delete(id)) continue; // applied before, or a duplicate within this batch
      applied++;
      switch (parsed.kind) {
        case 'order.paid':
          addOrderPaid(d, parsed.at, parsed.p, found);
          break;
        case 'stock.low':
          addStockLow(d, id, parsed.at, parsed.p, found);
          break;
        case 'cart.started':
          d.cartStarts.push(cartStartRow(id, parsed));
          break;
      }
    }
    await write(t, d);
    return applied;
  }

  /**
   * cart.started events alone (they arrive one per job: see reporting/index.ts), in ONE statement
   * and so with no transaction around it: the processed-events rows, then the cart-start rows of
   * the events that were new. Same rows as applyAll writes for them. A cart start shares no row
   * with any other event, so nothing here needs the lock order upsertShared keeps. Every add-to-cart
   * that starts a cart runs this: four round trips (begin, two inserts, commit) became one.
   */
  async function applyCartStarts(events: ReadonlyArray<{ id: string; parsed: Extract<Parsed, { kind: 'cart.started' }> }>) {
    const rows = events.map(({ id, parsed }) => cartStartRow(id, parsed));
    const { rows: applied } = await sql<{ event_id: string }>`
      with incoming as (
        select distinct on (event_id) * from jsonb_populate_recordset(null::reporting_cart_starts, ${JSON.stringify(rows)}::jsonb)
      ), fresh as (
        insert into reporting_processed_events (event_id, subscriber)
        select event_id, ${REPORTING_SUBSCRIBER} from incoming order by event_id
        on conflict (event_id, subscriber) do nothing
        returning event_id
      )
      insert into reporting_cart_starts (event_id, owner_id, owner_kind, started_at, merged_guest_id, into_open_cart)
      select i.event_id, i.owner_id, i.owner_kind, i.started_at, i.merged_guest_id, i.into_open_cart
      from incoming i join fresh using (event_id)
      on conflict (event_id) do nothing
      returning event_id`.execute(db);
    return applied.length;
  }

  return {
    lookups,
    applyAll,
    /**
     * A batch of events, as a job delivers them (one lookup, one transaction): returns how many
     * were applied, the others having been applied before.
     */
    async handle(events: ReadonlyArray<{ id: string; parsed: Parsed }>): Promise<number> {
      if (events.length === 0) return 0;
      const carts = events.filter(
        (e): e is { id: string; parsed: Extract<Parsed, { kind: 'cart.started' }> } => e.parsed.kind === 'cart.started',
      );
      if (carts.length === events.length) return applyCartStarts(carts);
      const found = await lookups(events.map((e) => e.parsed));
      return db.transaction().execute((trx) => applyAll(trx, events, found));
    },
  };
}

export type Projections = ReturnType<typeof createProjections>;
export type ParsedEvent = Parsed;
