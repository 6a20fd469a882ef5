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

/**
 * Adds rows that share a key, so a multi-row upsert never touches one row twice; sorted by key, so
 * two transactions lock the rows they share in the same order (no deadlock between two orders).
 */
function sumBy<T>(rows: T[], key: (r: T) => string, add: (into: T, r: T) => void): T[] {
  const out = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    const seen = out.get(k);
    if (seen) add(seen, r);
    else out.set(k, { ...r });
  }
  return [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/**
 * The event handlers that build reporting's read models. Each event is applied in one transaction
 * on the catalog store together with its processed-events row, so at-least-once delivery (and a
 * replay of the log) applies it exactly once. Catalog lookups (which seller sold a line, product
 * titles, the seller of a low variant) happen before the transaction, so it holds no lock while
 * waiting on another query.
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

  async function markProcessed(trx: Kysely<ReportingTables>, eventId: string): Promise<boolean> {
    const row = await trx
      .insertInto('reporting_processed_events')
      .values({ event_id: eventId, subscriber: REPORTING_SUBSCRIBER })
      .onConflict((oc) => oc.columns(['event_id', 'subscriber']).doNothing())
      .returning('event_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async function applyOrderPaid(trx: Kysely<ReportingTables>, at: string, p: OrderPaidPayload, found: Lookups): Promise<void> {
    const day = at.slice(0, 10);
    const minute = `${at.slice(0, 16)}:00.000Z`;
    const sellerOfShop = new Map(p.subOrders.map((s) => [s.shopId, s.sellerId]));
    const onlySeller = p.subOrders.length === 1 ? p.subOrders[0]!.sellerId : null;

    const daily = sumBy(
      p.subOrders.map((s) => ({ seller_id: s.sellerId, day, currency: p.currency, orders: 1, revenue: s.total })),
      (r) => r.seller_id,
      (into, r) => {
        into.orders += r.orders;
        into.revenue += r.revenue;
      },
    );
    if (daily.length > 0) {
      await trx
        .insertInto('reporting_seller_daily')
        .values(daily)
        .onConflict((oc) =>
          oc.columns(['seller_id', 'day', 'currency']).doUpdateSet({
            orders: sql`reporting_seller_daily.orders + excluded.orders`,
            revenue: sql`reporting_seller_daily.revenue + excluded.revenue`,
          }),
        )
        .execute();
    }

    // The payload's lines carry no shop: the catalog says which shop (so which sub-order's seller)
    // sold each variant. A variant deleted since is credited to the only seller of a one-shop order,
    // and left out of top products otherwise (its revenue still counts in the daily figures).
    const productRows: Array<{ seller_id: string; day: string; product_id: string; currency: string; units: number; revenue: number }> = [];
    const titles = new Map<string, string>();
    for (const l of p.lines) {
      const v = found.get(l.variantId);
      const seller = (v && sellerOfShop.get(v.shopId)) ?? onlySeller;
      if (!seller) {
        log.warn({ variantId: l.variantId }, 'reporting: cannot tell which seller sold a line; left out of top products');
        continue;
      }
      if (v) titles.set(l.productId, v.productTitle);
      productRows.push({
        seller_id: seller,
        day,
        product_id: l.productId,
        currency: p.currency,
        units: l.quantity,
        revenue: l.quantity * l.unitPrice,
      });
    }
    const products = sumBy(
      productRows,
      (r) => `${r.seller_id}:${r.product_id}`,
      (into, r) => {
        into.units += r.units;
        into.revenue += r.revenue;
      },
    );
    if (products.length > 0) {
      await trx
        .insertInto('reporting_seller_products')
        .values(products)
        .onConflict((oc) =>
          oc.columns(['seller_id', 'day', 'product_id', 'currency']).doUpdateSet({
            units: sql`reporting_seller_products.units + excluded.units`,
            revenue: sql`reporting_seller_products.revenue + excluded.revenue`,
          }),
        )
        .execute();
    }
    if (titles.size > 0) {
      await trx
        .insertInto('reporting_product_titles')
        .values([...titles].map(([product_id, title]) => ({ product_id, title })))
        .onConflict((oc) => oc.column('product_id').doUpdateSet({ title: sql`excluded.title` }))
        .execute();
    }

    await trx
      .insertInto('reporting_platform_minutes')
      .values({ minute, currency: p.currency, orders: 1, gross: p.total })
      .onConflict((oc) =>
        oc.columns(['minute', 'currency']).doUpdateSet({
          orders: sql`reporting_platform_minutes.orders + 1`,
          gross: sql`reporting_platform_minutes.gross + excluded.gross`,
        }),
      )
      .execute();
    await trx
      .insertInto('reporting_platform_daily')
      .values({ day, currency: p.currency, orders: 1, gross: p.total })
      .onConflict((oc) =>
        oc.columns(['day', 'currency']).doUpdateSet({
          orders: sql`reporting_platform_daily.orders + 1`,
          gross: sql`reporting_platform_daily.gross + excluded.gross`,
        }),
      )
      .execute();
    await trx
      .insertInto('reporting_customer_orders')
      .values({ order_id: p.orderId, customer_id: p.customerId, paid_at: at })
      .onConflict((oc) => oc.column('order_id').doNothing())
      .execute();
  }

  async function applyStockLow(
    trx: Kysely<ReportingTables>,
    eventId: string,
    at: string,
    p: StockLowPayload,
    found: Lookups,
  ): Promise<void> {
    const v = found.get(p.variantId);
    if (!v) {
      log.info({ variantId: p.variantId }, 'reporting: stock.low for a variant the catalog no longer has; no alert');
      return;
    }
    // The latest alert per variant wins, whatever order the events arrive in (jobs for one variant
    // coalesce, and a rebuild replays every event): ties on time are broken by the event id.
    await trx
      .insertInto('reporting_stock_alerts')
      .values({
        variant_id: p.variantId,
        seller_id: v.sellerId,
        product_id: v.productId,
        sku: v.sku,
        available: p.available,
        threshold: p.threshold,
        raised_at: at,
        event_id: eventId,
      })
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
    await trx
      .insertInto('reporting_product_titles')
      .values({ product_id: v.productId, title: v.productTitle })
      .onConflict((oc) => oc.column('product_id').doUpdateSet({ title: sql`excluded.title` }))
      .execute();
  }

  async function applyCartStarted(trx: Kysely<ReportingTables>, eventId: string, at: string, p: CartStartedPayload): Promise<void> {
    await trx
      .insertInto('reporting_cart_starts')
      .values({
        event_id: eventId,
        owner_id: p.ownerId,
        owner_kind: p.ownerKind,
        started_at: at,
        merged_guest_id: p.mergedGuestId,
        into_open_cart: p.intoOpenCart,
      })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
  }

  /**
   * Applies the events (in the caller's transaction) that have not been applied yet; returns how
   * many were. Events that do not parse are skipped and counted by the caller.
   */
  async function applyAll(trx: Kysely<unknown>, events: ReadonlyArray<{ id: string; parsed: Parsed }>, found: Lookups): Promise<number> {
    const t = view<ReportingTables>(trx);
    let applied = 0;
    for (const { id, parsed } of events) {
      if (!(await markProcessed(t, id))) continue;
      applied++;
      switch (parsed.kind) {
        case 'order.paid':
          await applyOrderPaid(t, parsed.at, parsed.p, found);
          break;
        case 'stock.low':
          await applyStockLow(t, id, parsed.at, parsed.p, found);
          break;
        case 'cart.started':
          await applyCartStarted(t, id, parsed.at, parsed.p);
          break;
      }
    }
    return applied;
  }

  return {
    lookups,
    applyAll,
    /** One event, as its job delivers it: returns false when it had already been applied. */
    async handle(event: DomainEvent, parsed: Parsed): Promise<boolean> {
      const found = await lookups([parsed]);
      return db.transaction().execute(async (trx) => (await applyAll(trx, [{ id: event.id, parsed }], found)) === 1);
    },
  };
}

export type Projections = ReturnType<typeof createProjections>;
export type ParsedEvent = Parsed;
