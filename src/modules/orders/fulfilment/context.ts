import type { DatabaseHandle } from '../../../platform/postgres/database.ts';
import { isId } from '../../../shared/ids.ts';
import { ordersErrors } from '../orders.errors.ts';
import * as orders from '../orders.repository.ts';
import { isPaidOrLater } from '../orders.state.ts';
import type { OrdersDeps } from '../orders.types.ts';

/**
 * Whose sub-orders a call may touch: a seller's own (anyone else's is "not found", never
 * "forbidden", so ids cannot be probed), or, for an operator, any paid one.
 */
export type Scope = Readonly<{ sellerId: string }> | 'operator';

/** What the fulfilment functions share: the orders module's dependencies and the shard of an id. */
export type FulfilmentContext = Readonly<{
  deps: OrdersDeps;
  /** The shard database of a sharded id, or null for an id no shard could hold (answered as not found). */
  shardOf(id: string): DatabaseHandle | null;
}>;

export function fulfilmentContext(deps: OrdersDeps): FulfilmentContext {
  return {
    deps,
    shardOf(id) {
      if (!isId(id)) return null;
      try {
        return deps.stores.shards.forId(id);
      } catch {
        return null;
      }
    },
  };
}

/** The state-machine actor a scope acts as. */
export const actorOf = (scope: Scope) => (scope === 'operator' ? ('operator' as const) : ('seller' as const));

/**
 * A paid (or later) sub-order in scope, with its database. Unpaid sub-orders are nobody's
 * business yet: they are in no seller's list either.
 */
export async function subOrderInScope(
  ctx: FulfilmentContext,
  scope: Scope,
  subOrderId: string,
): Promise<{ db: DatabaseHandle; sub: orders.SubOrderRow }> {
  const db = ctx.shardOf(subOrderId);
  const sub = db ? await orders.findSubOrder(db.db, subOrderId) : null;
  if (!db || !sub || !isPaidOrLater(sub.status)) throw ordersErrors.subOrderNotFound();
  if (scope !== 'operator' && sub.seller_id !== scope.sellerId) throw ordersErrors.subOrderNotFound();
  return { db, sub };
}
