import { sql, type Kysely } from 'kysely';
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

/**
 * Adds rows into a table of sums with one statement: `insert ... on conflict (key) do update set
 * sum = sum + excluded.sum`. Rows that share a key are added up in memory first, so the multi-row
 * upsert never touches one row twice; and sorted by key, so two transactions lock the rows they
 * share in the same order (no deadlock between two orders). The key is named once, here, for both
 * the in-memory grouping and the conflict target.
 */
async function addSums<T extends SumTable>(
  trx: Kysely<ReportingTables>,
  table: T,
  key: ReadonlyArray<keyof Row<T> & string>,
  sums: ReadonlyArray<SumColumn<T>>,
  rows: ReadonlyArray<Row<T>>,
): Promise<void> {
  const merged = new Map<string, Record<string, unknown>>();
  for (const row of rows as ReadonlyArray<Record<string, unknown>>) {
    const k = key.map((c) => String(row[c])).join('|');
    const seen = merged.get(k);
    if (!seen) merged.set(k, { ...row });
    else for (const c of sums) (seen[c] as number) += row[c] as number;
  }
  if (merged.size === 0) return;
  const values = [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  // Kysely cannot type a table chosen by a type parameter; the signature above checks the columns.
  const db = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
  await db
    .insertInto(table)
    .values(values)
    .onConflict((oc) =>
      oc
        .columns([...key])
        .doUpdateSet(Object.fromEntries(sums.map((c) => [c, sql`${sql.ref(`${table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`]))),
    )
    .execute();
}

/** The rows a batch of events adds, gathered in memory and written with one statement per table. */
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

  async function write(trx: Kysely<ReportingTables>, d: Delta): Promise<void> {
    await addSums(trx, 'reporting_seller_daily', ['seller_id', 'day', 'currency'], ['orders', 'revenue'], d.sellerDaily);
    await addSums(trx, 'reporting_seller_products', ['seller_id', 'day', 'product_id', 'currency'], ['units', 'revenue'], d.sellerProducts);
    if (d.titles.size > 0) {
      await trx
        .insertInto('reporting_product_titles')
        .values([...d.titles].sort(([a], [b]) => (a < b ? -1 : 1)).map(([product_id, title]) => ({ product_id, title })))
        .onConflict((oc) => oc.column('product_id').doUpdateSet({ title: sql`excluded.title` }))
        .execute();
    }
    await addSums(trx, 'reporting_platform_minutes', ['minute', 'currency'], ['orders', 'gross'], d.platformMinutes);
    await addSums(trx, 'reporting_platform_daily', ['day', 'currency'], ['orders', 'gross'], d.platformDaily);
    if (d.customerOrders.length > 0) {
      await trx
        .insertInto('reporting_customer_orders')
        .values(d.customerOrders)
        .onConflict((oc) => oc.column('order_id').doNothing())
        .execute();
    }
    if (d.stockAlerts.size > 0) {
      // The latest alert per variant wins, whatever order the events arrive in (jobs for one
      // variant coalesce, and a rebuild replays every event): ties on time go to the larger event id.
      await trx
        .insertInto('reporting_stock_alerts')
        .values([...d.stockAlerts.values()].sort((a, b) => (a.variant_id < b.variant_id ? -1 : 1)))
        .onConflict((oc) =>
          oc
            .column('variant_id')
            .doUpdateSet({
              seller_id: sql`excluded.seller_id`,
              product_id: sql`excluded.product_id`,
              sku: sql`excluded.sku`,
              available: sql`excluded.available`,
              threshold: sql`excluded.threshold`,
              raised_at: sql`excluded.raised_at`,
              event_id: sql`excluded.event_id`,
            })
            .where(
              sql<boolean>`(excluded.raised_at, excluded.event_id) > (reporting_stock_alerts.raised_at, reporting_stock_alerts.event_id)`,
            ),
        )
        .execute();
    }
    if (d.cartStarts.length > 0) {
      await trx
        .insertInto('reporting_cart_starts')
        .values(d.cartStarts)
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    }
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
          d.cartStarts.push({
            event_id: id,
            owner_id: parsed.p.ownerId,
            owner_kind: parsed.p.ownerKind,
            started_at: parsed.at,
            merged_guest_id: parsed.p.mergedGuestId,
            into_open_cart: parsed.p.intoOpenCart,
          });
          break;
      }
    }
    await write(t, d);
    return applied;
  }

  return {
    lookups,
    applyAll,
    /**
     * A batch of events, as a job delivers them (one lookup, one transaction): returns how many
     * were applied, the others having been applied before.
     */
    async handle(events: ReadonlyArray<{ id: string; parsed: Parsed }>): Promise<number> {
      const found = await lookups(events.map((e) => e.parsed));
      return db.transaction().execute((trx) => applyAll(trx, events, found));
    },
  };
}

export type Projections = ReturnType<typeof createProjections>;
export type ParsedEvent = Parsed;
