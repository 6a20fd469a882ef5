import type { Generated, Kysely, Selectable } from 'kysely';

export type PaymentTables = {
  payment_attempts: {
    id: string;
    order_id: string;
    kind: 'charge' | 'refund';
    idempotency_key: string;
    provider_charge_id: string | null;
    amount: number;
    currency: string;
    status: 'succeeded' | 'declined' | 'unavailable';
    error: string | null;
    created_at: Generated<Date>;
  };
};

export type AttemptRow = Omit<Selectable<PaymentTables['payment_attempts']>, 'created_at'>;

export async function insertAttempt(db: Kysely<PaymentTables>, row: AttemptRow): Promise<void> {
  await db.insertInto('payment_attempts').values(row).execute();
}

export async function listAttempts(db: Kysely<PaymentTables>, orderId: string): Promise<Selectable<PaymentTables['payment_attempts']>[]> {
  return db.selectFrom('payment_attempts').selectAll().where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();
}
