import { sql, type Generated, type Kysely, type RawBuilder } from 'kysely';
import { MAX_CART_LINES, MAX_LINE_QUANTITY, type CartOwner } from './cart.types.ts';

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

/**
 * Sets a line's quantity (adding the line) unless a new line would take the cart past
 * MAX_CART_LINES, and returns the cart as it then is, in listLines' order: one round trip where
 * reading the lines, writing and reading them again took three. `linesBefore` is how many lines the
 * cart had (0: this line started it); `written` false means the cart was full and nothing changed.
 *
 * Run it under lockCart, as a statement of its own after the lock: the check counts the lines in
 * the statement's snapshot, which only includes a concurrent writer's line if that writer committed
 * before the statement began (a lock taken inside the same statement would come after its snapshot).
 */
export async function putLine(
  trx: Db,
  owner: CartOwner,
  variantId: string,
  quantity: number,
): Promise<{ written: boolean; linesBefore: number; lines: LineRow[] }> {
  const { rows } = await sql<LineRow & { put: boolean; lines_before: number }>`
    with present as (
      select variant_id, quantity, added_at from cart_lines where owner_id = ${owner.id} and owner_kind = ${owner.kind}
    ), put as (
      insert into cart_lines (owner_id, owner_kind, variant_id, quantity)
      select ${owner.id}::uuid, ${owner.kind}::text, ${variantId}::uuid, ${quantity}::int
      where exists (select from present where variant_id = ${variantId}::uuid)
        or (select count(*) from present) < ${sql.lit(MAX_CART_LINES)}
      on conflict (owner_id, owner_kind, variant_id) do update set quantity = excluded.quantity, updated_at = now()
      returning variant_id, quantity, added_at
    ), cart as (
      select variant_id, quantity, added_at, false as put from present where variant_id <> ${variantId}::uuid
      union all
      select variant_id, quantity, added_at, true from put
    )
    -- Never empty: a write returns its line, and a refused one leaves a full cart's lines.
    select variant_id, quantity, added_at, put, (select count(*)::int from present) as lines_before from cart
    order by added_at, variant_id`.execute(trx);
  const lines = rows.map((r) => ({ variant_id: r.variant_id, quantity: r.quantity, added_at: r.added_at }));
  return { written: rows.some((r) => r.put), linesBefore: rows[0]?.lines_before ?? 0, lines };
}

/** The quantity of one line (0 when the variant is not in the cart). */
export async function lineQuantity(trx: Db, owner: CartOwner, variantId: string): Promise<number> {
  const row = await trx
    .selectFrom('cart_lines')
    .select('quantity')
    .where('owner_id', '=', owner.id)
    .where('owner_kind', '=', owner.kind)
    .where('variant_id', '=', variantId)
    .executeTakeFirst();
  return row?.quantity ?? 0;
}

/** Units in the cart, over all its lines (what the header shows). */
export async function unitCount(db: Db, owner: CartOwner): Promise<number> {
  const row = await db
    .selectFrom('cart_lines')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('quantity'), eb.lit(0)).as('units'))
    .where('owner_id', '=', owner.id)
    .where('owner_kind', '=', owner.kind)
    .executeTakeFirstOrThrow();
  return Number(row.units);
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

/**
 * deleteLines (given variants) as an SQL fragment, for a caller that folds it into a statement of
 * its own as a data-modifying CTE (checkout writes the order and empties what it bought in one
 * round trip). An empty list deletes nothing.
 */
export function deleteLinesSql(owner: CartOwner, variantIds: readonly string[]): RawBuilder<unknown> {
  return sql`delete from cart_lines
    where owner_id = ${owner.id} and owner_kind = ${owner.kind} and variant_id = any(${[...variantIds]}::uuid[])`;
}
