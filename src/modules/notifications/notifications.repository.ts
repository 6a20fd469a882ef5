import { sql, type Generated, type Kysely } from 'kysely';

export type NotificationTables = {
  notifications_sent: { message_key: string; kind: string; recipient: string; sent_at: Generated<Date> };
};

export async function wasSent(db: Kysely<NotificationTables>, messageKey: string): Promise<boolean> {
  const row = await db.selectFrom('notifications_sent').select('message_key').where('message_key', '=', messageKey).executeTakeFirst();
  return row !== undefined;
}

export async function markSent(
  db: Kysely<NotificationTables>,
  row: { message_key: string; kind: string; recipient: string },
): Promise<void> {
  await db
    .insertInto('notifications_sent')
    .values(row)
    .onConflict((oc) => oc.column('message_key').doNothing())
    .execute();
}

/** Serialises sends of one message key across workers until the transaction ends. */
export async function lockMessageKey(trx: Kysely<NotificationTables>, messageKey: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${'notifications:' + messageKey}, 0))`.execute(trx);
}

export async function listSentKeys(db: Kysely<NotificationTables>): Promise<string[]> {
  const rows = await db.selectFrom('notifications_sent').select('message_key').execute();
  return rows.map((r) => r.message_key);
}
