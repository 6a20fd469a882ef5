import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { readEventLog, type DomainEvent } from '../../platform/events.ts';
import { READ_MODEL_TABLES } from './reporting.migrations.ts';
import { parseEvent, PROJECTED_EVENTS, type ParsedEvent, type Projections } from './reporting.projections.ts';

export type RebuildResult = Readonly<{ events: number; applied: number; skipped: number; ms: number }>;

/** Events applied per transaction while replaying. */
const BATCH = 500;

/**
 * `atelier reporting rebuild`: empties the read models and replays the event log of every database
 * (catalog and shards) through the same handlers the jobs use, oldest event first.
 *
 * Safe while the workers run. The log is read only after the tables are emptied, so every event is
 * either in what the replay reads or committed later, and then its job applies it; an event both
 * replayed and delivered by its job is applied once, because the processed-events row is written
 * with the figures. While it runs, the figures are incomplete (readers see the replay in progress);
 * at the scale of a rebuild command that is accepted, rather than building shadow tables and swapping.
 * Two rebuilds at once are refused (an advisory lock held for the whole run).
 */
export async function rebuildReadModels(deps: {
  catalog: Kysely<unknown>;
  databases: ReadonlyArray<{ name: string; db: Kysely<unknown> }>;
  projections: Projections;
  log: Logger;
}): Promise<RebuildResult> {
  const started = Date.now();
  return deps.catalog.connection().execute(async (conn) => {
    const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtext('atelier.reporting.rebuild')) as ok`.execute(conn);
    if (!rows[0]?.ok) throw new Error('a reporting rebuild is already running');
    try {
      await sql`truncate ${sql.join(READ_MODEL_TABLES.map((t) => sql.table(t)))}`.execute(conn);
      let events = 0;
      let applied = 0;
      let skipped = 0;
      let batch: Array<{ id: string; parsed: ParsedEvent }> = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const found = await deps.projections.lookups(batch.map((b) => b.parsed));
        const page = batch;
        batch = [];
        applied += await deps.catalog.transaction().execute((trx) => deps.projections.applyAll(trx, page, found));
      };
      for await (const event of readEventLog(deps.databases, PROJECTED_EVENTS)) {
        events++;
        const parsed = parseEvent(event as DomainEvent);
        if (!parsed) {
          skipped++;
          deps.log.warn(
            { eventId: event.id, type: event.type, database: event.database },
            'reporting rebuild: event not understood; skipped',
          );
          continue;
        }
        batch.push({ id: event.id, parsed });
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      return { events, applied, skipped, ms: Date.now() - started };
    } finally {
      await sql`select pg_advisory_unlock(hashtext('atelier.reporting.rebuild'))`.execute(conn);
    }
  });
}
