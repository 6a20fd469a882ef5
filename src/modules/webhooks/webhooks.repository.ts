import { sql, type Kysely, type Selectable } from 'kysely';
import { view } from '../../platform/postgres/database.ts';

/** Queries on the webhooks tables of one shard database (the seller's); the db or transaction comes first. */
type EndpointsTable = {
  id: string;
  seller_id: string;
  url: string;
  event_types: string[];
  secret: string;
  status: 'active' | 'disabled';
  failing_since: Date | null;
  consecutive_failures: number;
  last_success_at: Date | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_at: Date;
};
export type DeliveryStatus = 'pending' | 'delivered' | 'held' | 'failed';
type DeliveriesTable = {
  id: string;
  seller_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  retry_until: Date;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
};
type AttemptsTable = {
  delivery_id: string;
  attempt: number;
  seller_id: string;
  attempted_at: Date;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
};
type Tables = { webhook_endpoints: EndpointsTable; webhook_deliveries: DeliveriesTable; webhook_delivery_attempts: AttemptsTable };

export type EndpointRow = Selectable<EndpointsTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type AttemptRow = Selectable<AttemptsTable>;

const t = (db: Kysely<unknown>) => view<Tables>(db);

/** Serialises a seller's endpoint registrations (the per-seller limit is a count, then an insert). */
export async function lockSeller(trx: Kysely<unknown>, sellerId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`webhooks:${sellerId}`}, 0))`.execute(trx);
}

export async function countEndpoints(db: Kysely<unknown>, sellerId: string): Promise<number> {
  const row = await t(db)
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('seller_id', '=', sellerId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertEndpoint(
  db: Kysely<unknown>,
  row: { id: string; sellerId: string; url: string; eventTypes: string[]; secret: string },
): Promise<EndpointRow> {
  return t(db)
    .insertInto('webhook_endpoints')
    .values({
      id: row.id,
      seller_id: row.sellerId,
      url: row.url,
      event_types: row.eventTypes,
      secret: row.secret,
      status: 'active',
      consecutive_failures: 0,
      created_at: new Date(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listEndpoints(db: Kysely<unknown>, sellerId: string): Promise<EndpointRow[]> {
  return t(db).selectFrom('webhook_endpoints').selectAll().where('seller_id', '=', sellerId).orderBy('id').execute();
}

export async function findEndpoint(db: Kysely<unknown>, sellerId: string, id: string): Promise<EndpointRow | undefined> {
  return t(db).selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where('seller_id', '=', sellerId).executeTakeFirst();
}

/**
 * The endpoints subscribed to an event type (active or disabled: a disabled one holds it) of
 * several sellers of one shard, in one statement, by seller.
 */
export async function endpointsOfSellers(
  db: Kysely<unknown>,
  sellerIds: readonly string[],
  eventType: string,
): Promise<Map<string, Array<Pick<EndpointRow, 'id' | 'status'>>>> {
  const rows = await t(db)
    .selectFrom('webhook_endpoints')
    .select(['seller_id', 'id', 'status'])
    .where('seller_id', 'in', [...sellerIds])
    .where(sql<boolean>`${eventType} = any(event_types)`)
    .execute();
  const bySeller = new Map<string, Array<Pick<EndpointRow, 'id' | 'status'>>>();
  for (const r of rows) {
    const list = bySeller.get(r.seller_id) ?? [];
    list.push({ id: r.id, status: r.status });
    bySeller.set(r.seller_id, list);
  }
  return bySeller;
}

/** Deletes the endpoint and returns it as it was; undefined when there is no such endpoint. */
export async function deleteEndpoint(db: Kysely<unknown>, sellerId: string, id: string): Promise<EndpointRow | undefined> {
  return t(db).deleteFrom('webhook_endpoints').where('id', '=', id).where('seller_id', '=', sellerId).returningAll().executeTakeFirst();
}

/** The endpoint, locked for the rest of the transaction (its state before a change, for the audit entry). */
export async function lockEndpoint(db: Kysely<unknown>, sellerId: string, id: string): Promise<EndpointRow | undefined> {
  return t(db)
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .where('seller_id', '=', sellerId)
    .forUpdate()
    .executeTakeFirst();
}

/** Back to active with a clean failure record; undefined when there is no such endpoint. */
export async function activateEndpoint(db: Kysely<unknown>, sellerId: string, id: string): Promise<EndpointRow | undefined> {
  return t(db)
    .updateTable('webhook_endpoints')
    .set({ status: 'active', failing_since: null, consecutive_failures: 0, disabled_at: null, disabled_reason: null })
    .where('id', '=', id)
    .where('seller_id', '=', sellerId)
    .returningAll()
    .executeTakeFirst();
}

/**
 * New deliveries, one statement for all of an event's endpoints; returns those inserted (an event
 * that already has a delivery for an endpoint, because it was redelivered, gets nothing new).
 */
export async function insertDeliveries(
  db: Kysely<unknown>,
  rows: ReadonlyArray<{
    id: string;
    sellerId: string;
    endpointId: string;
    eventId: string;
    eventType: string;
    body: string;
    status: 'pending' | 'held';
    retryUntil: Date;
  }>,
): Promise<Array<{ id: string; status: DeliveryStatus }>> {
  if (rows.length === 0) return [];
  const now = new Date();
  return t(db)
    .insertInto('webhook_deliveries')
    .values(
      rows.map((row) => ({
        id: row.id,
        seller_id: row.sellerId,
        endpoint_id: row.endpointId,
        event_id: row.eventId,
        event_type: row.eventType,
        body: row.body,
        status: row.status,
        attempts: 0,
        next_attempt_at: row.status === 'pending' ? now : null,
        retry_until: row.retryUntil,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['event_id', 'endpoint_id']).doNothing())
    .returning(['id', 'status'])
    .execute();
}

export type DeliveryWithEndpoint = DeliveryRow & { url: string; secret: string; endpoint_status: 'active' | 'disabled' };

export async function findDeliveryWithEndpoint(db: Kysely<unknown>, id: string): Promise<DeliveryWithEndpoint | undefined> {
  return t(db)
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .selectAll('d')
    .select(['e.url', 'e.secret', 'e.status as endpoint_status'])
    .where('d.id', '=', id)
    .executeTakeFirst();
}

export async function insertAttempt(db: Kysely<unknown>, row: AttemptRow): Promise<void> {
  await t(db)
    .insertInto('webhook_delivery_attempts')
    .values(row)
    .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
    .execute();
}

/**
 * Locks a delivery for recording an attempt; false unless it is still pending with the attempt
 * count we read before sending: a second run of the same job cannot record an attempt twice.
 */
export async function lockPendingDelivery(trx: Kysely<unknown>, id: string, attempts: number): Promise<boolean> {
  const row = await t(trx)
    .selectFrom('webhook_deliveries')
    .select(['status', 'attempts'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row?.status === 'pending' && row.attempts === attempts;
}

export async function recordOutcome(
  db: Kysely<unknown>,
  id: string,
  set: {
    status: DeliveryStatus;
    attempts: number;
    nextAttemptAt: Date | null;
    statusCode: number | null;
    error: string | null;
    deliveredAt?: Date;
  },
): Promise<void> {
  await t(db)
    .updateTable('webhook_deliveries')
    .set({
      status: set.status,
      attempts: set.attempts,
      next_attempt_at: set.nextAttemptAt,
      last_status_code: set.statusCode,
      last_error: set.error,
      ...(set.deliveredAt ? { delivered_at: set.deliveredAt } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function markEndpointSucceeded(db: Kysely<unknown>, id: string, at: Date): Promise<void> {
  await t(db)
    .updateTable('webhook_endpoints')
    .set({ failing_since: null, consecutive_failures: 0, last_success_at: at })
    .where('id', '=', id)
    .execute();
}

/** Counts a failed attempt; answers since when the endpoint has been failing without a success. */
export async function markEndpointFailed(
  db: Kysely<unknown>,
  id: string,
  at: Date,
): Promise<{ failingSince: Date; lastSuccessAt: Date | null } | null> {
  const row = await t(db)
    .updateTable('webhook_endpoints')
    .set((eb) => ({
      consecutive_failures: eb('consecutive_failures', '+', 1),
      failing_since: sql<Date>`coalesce(failing_since, ${at})`,
    }))
    .where('id', '=', id)
    .returning(['failing_since', 'last_success_at'])
    .executeTakeFirst();
  return row ? { failingSince: row.failing_since!, lastSuccessAt: row.last_success_at } : null;
}

/** Disables an active endpoint with the notice the seller will read; false when it already was. */
export async function disableEndpoint(db: Kysely<unknown>, id: string, at: Date, reason: string): Promise<boolean> {
  const res = await t(db)
    .updateTable('webhook_endpoints')
    .set({ status: 'disabled', disabled_at: at, disabled_reason: reason })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Every pending delivery of an endpoint stops being attempted until the endpoint is enabled again. */
export async function holdPending(db: Kysely<unknown>, endpointId: string): Promise<number> {
  const res = await t(db)
    .updateTable('webhook_deliveries')
    .set({ status: 'held', next_attempt_at: null })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function holdOne(db: Kysely<unknown>, id: string): Promise<void> {
  await t(db)
    .updateTable('webhook_deliveries')
    .set({ status: 'held', next_attempt_at: null })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

/** One of an endpoint's deliveries, locked for a redelivery; undefined when the endpoint has no such delivery. */
export async function lockDelivery(db: Kysely<unknown>, endpointId: string, id: string): Promise<DeliveryRow | undefined> {
  return t(db)
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('id', '=', id)
    .where('endpoint_id', '=', endpointId)
    .forUpdate()
    .executeTakeFirst();
}

/** A delivery (delivered, failed or pending) pending again, due now, with a fresh retry window. */
export async function reopenDelivery(db: Kysely<unknown>, id: string, now: Date, retryUntil: Date): Promise<void> {
  await t(db)
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: now, retry_until: retryUntil })
    .where('id', '=', id)
    .where('status', 'in', ['delivered', 'failed', 'pending'])
    .execute();
}

/** Held deliveries become pending again, due now, with a fresh retry window; returns their ids. */
export async function resumeHeld(db: Kysely<unknown>, endpointId: string, now: Date, retryUntil: Date): Promise<string[]> {
  const rows = await t(db)
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: now, retry_until: retryUntil })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'held')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function recentDeliveries(db: Kysely<unknown>, endpointId: string, limit: number): Promise<DeliveryRow[]> {
  return t(db)
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The last `perDelivery` attempts of each of these deliveries, newest first. */
export async function recentAttempts(db: Kysely<unknown>, deliveryIds: string[], perDelivery: number): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  const { rows } = await sql<AttemptRow>`
    select delivery_id::text as delivery_id, attempt, seller_id::text as seller_id, attempted_at, status_code, error, duration_ms
    from (
      select a.*, row_number() over (partition by delivery_id order by attempt desc) as n
      from webhook_delivery_attempts a where delivery_id = any(${deliveryIds}::uuid[])
    ) x
    where n <= ${perDelivery}
    order by delivery_id, attempt desc`.execute(db);
  return rows;
}
