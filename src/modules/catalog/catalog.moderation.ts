import type { Kysely } from 'kysely';
import type { EventBus } from '../../platform/events.ts';
import { DomainError } from '../../shared/errors.ts';
import { isId } from '../../shared/ids.ts';
import type { AuditActor, AuditRecorder } from '../audit/index.ts';
import { openCursor, sealCursor } from './catalog.cursor.ts';
import { catalogErrors } from './catalog.errors.ts';
import { CATALOG_EVENTS } from './catalog.events.ts';
import * as repo from './catalog.repository.ts';
import { toShop, type Page } from './catalog.views.ts';
import type { Product, ProductCounts, Shop, ShopStatus, VisibilityChange } from './index.ts';

/**
 * The operator's side of the catalog (issue 15): approving, suspending and reinstating shops,
 * unpublishing a product with a reason its seller reads, and the console's look-ups of shops.
 *
 * Every decision locks the row it changes (`for update`), checks the move against the status it
 * finds, and writes the status, the reason, the change event and the audit entry in one
 * transaction: two operators acting on one shop at once are serialised, the second one sees the
 * first's result (and is refused if its move no longer applies), and no status exists without its
 * reason and its audit entry. After the commit, the cached pages the change makes stale are
 * invalidated, and search is told at once (`visibilityChanged`).
 */
export type Moderation = Readonly<{
  /** pending -> active. */
  approveShop(actor: AuditActor, shopId: string): Promise<Shop>;
  /** pending or active -> suspended, with the reason the seller reads: its products leave the storefront, search and checkout. */
  suspendShop(actor: AuditActor, shopId: string, reason: string): Promise<Shop>;
  /** suspended -> active: its published products come back. */
  reinstateShop(actor: AuditActor, shopId: string): Promise<Shop>;
  /** Takes a product off the storefront (a draft its seller cannot publish) with the reason the seller reads. */
  unpublishProduct(actor: AuditActor, productId: string, reason: string): Promise<Product>;
  /** Lifts the hold: the product stays a draft, which its seller may publish again. */
  releaseProduct(actor: AuditActor, productId: string): Promise<Product>;
  /** Shops, newest first, by name or slug and status, a keyset page at a time. */
  listShops(query: ShopQuery): Promise<Page<Shop>>;
  /** One shop with how many products it has, by status; null for an unknown id. */
  shopDetail(shopId: string): Promise<ShopDetail | null>;
}>;

export type ShopQuery = Readonly<{ q?: string; status?: ShopStatus; cursor?: string; limit: number }>;
export type ShopDetail = Readonly<{ shop: Shop; products: ProductCounts }>;

type Invalidation = { keys: string[] };

export type ModerationDeps = Readonly<{
  db: Kysely<unknown>;
  events: EventBus;
  audit: AuditRecorder;
  afterCommit(what: Invalidation): Promise<void>;
  shopInvalidation(trx: Kysely<unknown>, shopId: string): Promise<Invalidation>;
  productInvalidation(productId: string): Invalidation;
  visibilityChanged(change: VisibilityChange): Promise<void>;
  readBack(trx: Kysely<unknown>, productId: string): Promise<Product>;
}>;

/** Which statuses each move starts from, and where it ends. */
const MOVES = {
  approve: { from: ['pending'], to: 'active', action: 'shop.approved', verb: 'approved' },
  suspend: { from: ['pending', 'active'], to: 'suspended', action: 'shop.suspended', verb: 'suspended' },
  reinstate: { from: ['suspended'], to: 'active', action: 'shop.reinstated', verb: 'reinstated' },
} as const satisfies Record<string, { from: readonly ShopStatus[]; to: ShopStatus; action: string; verb: string }>;

type ShopCursor = { k: string; id: string };

function decodeShopCursor(cursor: string): ShopCursor {
  const v = openCursor(cursor) as Partial<ShopCursor> | null;
  if (typeof v !== 'object' || v === null || typeof v.k !== 'string' || typeof v.id !== 'string' || !isId(v.id)) {
    throw catalogErrors.invalidCursor();
  }
  // The text PostgreSQL printed for created_at; anything else would be a uuid or timestamp cast error.
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(v.k)) throw catalogErrors.invalidCursor();
  return { k: v.k, id: v.id };
}

/** The reason a seller will read: blank is no reason. */
function reasonOf(text: string): string {
  const reason = text.trim();
  if (reason.length === 0)
    throw new DomainError('invalid', 'CATALOG_REASON_REQUIRED', 'Say why: the seller reads the reason', 'body.reason');
  return reason;
}

export function createModeration(deps: ModerationDeps): Moderation {
  const { db, events, audit } = deps;

  async function moveShop(actor: AuditActor, shopId: string, move: keyof typeof MOVES, reason: string | null): Promise<Shop> {
    if (!isId(shopId)) throw catalogErrors.shopNotFound();
    const { to, from, action, verb } = MOVES[move];
    const { shop, stale } = await db.transaction().execute(async (trx) => {
      const current = await repo.shopById(trx, shopId, { forUpdate: true });
      if (!current) throw catalogErrors.shopNotFound();
      if (!(from as readonly ShopStatus[]).includes(current.status)) throw catalogErrors.shopStatusConflict(current.status, verb);
      const updated = (await repo.setShopStatus(trx, shopId, to, reason))!;
      await events.publish(trx, CATALOG_EVENTS.shopChanged, { shopId }, { jobKeySuffix: shopId });
      await audit.record(trx, actor, {
        action,
        targetType: 'shop',
        targetId: shopId,
        before: { status: current.status, statusReason: current.status_reason },
        after: { status: updated.status, statusReason: updated.status_reason },
        ...(reason !== null ? { reason } : {}),
      });
      return { shop: toShop(updated), stale: await deps.shopInvalidation(trx, shopId) };
    });
    await deps.afterCommit(stale);
    await deps.visibilityChanged({ shopId });
    return shop;
  }

  async function holdProduct(actor: AuditActor, productId: string, note: string | null): Promise<Product> {
    if (!isId(productId)) throw catalogErrors.productNotFound();
    const product = await db.transaction().execute(async (trx) => {
      const head = await repo.lockProduct(trx, productId);
      if (!head) throw catalogErrors.productNotFound();
      if (note === null && head.moderation_note === null) throw catalogErrors.productNotHeld();
      await repo.setProductHold(trx, productId, note);
      await events.publish(trx, CATALOG_EVENTS.productChanged, { productId, shopId: head.shop_id }, { jobKeySuffix: productId });
      const after = await deps.readBack(trx, productId);
      await audit.record(trx, actor, {
        action: note === null ? 'product.hold_lifted' : 'product.unpublished',
        targetType: 'product',
        targetId: productId,
        before: { status: head.status, moderationNote: head.moderation_note },
        after: { status: after.status, moderationNote: after.moderationNote },
        ...(note !== null ? { reason: note } : {}),
      });
      return after;
    });
    await deps.afterCommit(deps.productInvalidation(productId));
    await deps.visibilityChanged({ productId });
    return product;
  }

  return {
    approveShop: (actor, shopId) => moveShop(actor, shopId, 'approve', null),
    suspendShop: (actor, shopId, reason) => moveShop(actor, shopId, 'suspend', reasonOf(reason)),
    reinstateShop: (actor, shopId) => moveShop(actor, shopId, 'reinstate', null),
    unpublishProduct: (actor, productId, reason) => holdProduct(actor, productId, reasonOf(reason)),
    releaseProduct: (actor, productId) => holdProduct(actor, productId, null),

    async listShops(query) {
      const after = query.cursor ? decodeShopCursor(query.cursor) : null;
      const q = query.q?.trim() || null;
      const rows = await repo.listShops(db, { q, status: query.status ?? null, after, limit: query.limit + 1 });
      const more = rows.length > query.limit;
      const page = more ? rows.slice(0, query.limit) : rows;
      const last = page[page.length - 1];
      return {
        items: page.map(toShop),
        nextCursor: more && last ? sealCursor({ k: last.created_key, id: last.id } satisfies ShopCursor) : null,
      };
    },

    async shopDetail(shopId) {
      if (!isId(shopId)) return null;
      const row = await repo.shopById(db, shopId);
      if (!row) return null;
      return { shop: toShop(row), products: await repo.shopProductCounts(db, shopId) };
    },
  };
}
