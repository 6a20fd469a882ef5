import { sql, type Generated, type Kysely } from 'kysely';
import { MAX_LINE_QUANTITY, type CartOwner } from './cart.types.ts';

export type CartTables = {
  cart_lines: {
    owner_id: string;
    owner_kind: 'account' | 'guest';
    variant_id: string;
    quantity: number;
    added_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
};

type Db = Kysely<CartTables>;
export type LineRow = { variant_id: string; quantity: number; added_at: Date };

export async function listLines(db: Db, owner: CartOwner): Promise<LineRow[]> {
  return db
    .selectFrom('cart_lines')
    .select(['variant_id', 'quantity', 'added_at'])
    .where('owner_id', '=', owner.id)
    .where('owner_kind', '=', owner.kind)
    .orderBy('added_at')
    .orderBy('variant_id')
    .execute();
}

/** Serialises writes to one cart, so the line limit holds under concurrent adds. */
export async function lockCart(trx: Db, owner: CartOwner): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`cart:${owner.kind}:${owner.id}`}, 0))`.execute(trx);
}

export async function variantIdsInCart(trx: Db, owner: CartOwner): Promise<Set<string>> {
  const rows = await trx
    .selectFrom('cart_lines')
    .select('variant_id')
    .where('owner_id', '=', owner.id)
    .where('owner_kind', '=', owner.kind)
    .execute();
  return new Set(rows.map((r) => r.variant_id));
}

export async function setLine(trx: Db, owner: CartOwner, variantId: string, quantity: number): Promise<void> {
  await trx
    .insertInto('cart_lines')
    .values({ owner_id: owner.id, owner_kind: owner.kind, variant_id: variantId, quantity })
    .onConflict((oc) => oc.columns(['owner_id', 'owner_kind', 'variant_id']).doUpdateSet({ quantity, updated_at: sql<Date>`now()` }))
    .execute();
}

/** Adds quantities to existing lines (capped) and inserts the others. */
export async function addLines(trx: Db, owner: CartOwner, lines: ReadonlyArray<{ variantId: string; quantity: number }>): Promise<void> {
  if (lines.length === 0) return;
  await trx
    .insertInto('cart_lines')
    .values(lines.map((l) => ({ owner_id: owner.id, owner_kind: owner.kind, variant_id: l.variantId, quantity: l.quantity })))
    .onConflict((oc) =>
      oc.columns(['owner_id', 'owner_kind', 'variant_id']).doUpdateSet({
        quantity: sql<number>`least(cart_lines.quantity + excluded.quantity, ${sql.lit(MAX_LINE_QUANTITY)})`,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
}

export async function deleteLines(db: Db, owner: CartOwner, variantIds: readonly string[] | 'all'): Promise<void> {
  let q = db.deleteFrom('cart_lines').where('owner_id', '=', owner.id).where('owner_kind', '=', owner.kind);
  if (variantIds !== 'all') {
    if (variantIds.length === 0) return;
    q = q.where('variant_id', 'in', [...variantIds]);
  }
  await q.execute();
}
