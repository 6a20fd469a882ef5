import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { ATELIER_BIN } from '../support/processes.ts';
import { jobsOf } from '../support/jobs.ts';
import { enqueue } from '../../src/platform/queue/queue.ts';
import type { DomainEvent } from '../../src/platform/events.ts';
import { newId } from '../../src/shared/ids.ts';
import { createProduct, sellerWithShop, signUpAdmin, type Actor } from '../../src/modules/catalog/catalog.test-support.ts';
import { AUDIT_EVENT, auditRecorder, type AuditEntry, type AuditPage, type ChainVerdict } from '../../src/modules/audit/index.ts';
import { createAuditService } from '../../src/modules/audit/audit.service.ts';

/**
 * The audit log on real PostgreSQL: events become entries exactly once, the chain verifies and
 * stops verifying when a row is changed behind the application's back, the application cannot
 * change a row, concurrent appends make one chain, and only admins read it.
 */
let t: TestApp;
let admin: Actor;
let seller: Actor & { shopId: string };
let variantId: string;
const AUDIT_TASK = `event:${AUDIT_EVENT}:audit`;

before(async () => {
  t = await createTestApp();
  admin = await signUpAdmin(t);
  seller = await sellerWithShop(t.server);
  const product = await createProduct(t.server, seller);
  variantId = product.variants[0]!.id;
  // Whatever the set-up recorded is in the log before the tests count jobs and entries.
  await t.drainJobs();
});
after(async () => {
  await t?.close();
});

const get = (url: string, who: Actor) => t.server.inject({ method: 'GET', url: `/api/v1${url}`, headers: who.headers });
const restock = (quantity: number) =>
  t.server.inject({
    method: 'POST',
    url: `/api/v1/inventory/variants/${variantId}/restock`,
    headers: { ...seller.headers, 'user-agent': 'audit-test/1.0' },
    payload: { quantity },
  });

async function entriesFor(targetId: string): Promise<AuditEntry[]> {
  const res = await get(`/admin/audit?targetId=${targetId}`, admin);
  assert.equal(res.statusCode, 200, res.body);
  return res.json<AuditPage>().items;
}

async function verify(): Promise<ChainVerdict> {
  const res = await get('/admin/audit/verify', admin);
  assert.equal(res.statusCode, 200, res.body);
  return res.json<ChainVerdict>();
}

/** A superuser session on the catalog database: what an attacker with the database would use. */
async function asSuperuser<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: t.env.CATALOG_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** An audit.recorded event as the recorder would publish it, for appending directly. */
function event(action: string, targetId = newId()): DomainEvent {
  const id = newId();
  return {
    id,
    type: AUDIT_EVENT,
    occurredAt: new Date().toISOString(),
    payload: {
      actor: { accountId: admin.id, role: 'admin', ip: '192.0.2.1', userAgent: 'test' },
      action,
      targetType: 'thing',
      targetId,
      before: { n: 1 },
      after: { n: 2, nested: { b: 1, a: [1, 2, { z: true, y: null }] } },
      at: new Date().toISOString(),
    },
  };
}

describe('the audit log', () => {
  test("a seller's action becomes one entry: who, what, when, from where, before and after; delivered twice, still one", async () => {
    const before = (await restock(5)).json<{ onHand: number }>();
    const res = await restock(3);
    assert.equal(res.statusCode, 200, res.body);
    // Nothing is written on the request path: the entry comes from the event's job.
    const jobs = await jobsOf<DomainEvent>(t.app.stores.catalog.db, AUDIT_TASK);
    assert.equal(jobs.length, 2);
    const second = jobs[1]!.payload;
    await t.drainJobs();
    let entries = await entriesFor(variantId);
    assert.equal(entries.length, 2);
    const entry = entries[0]!;
    assert.equal(entry.action, 'stock.restocked');
    assert.deepEqual(entry.target, { type: 'variant', id: variantId });
    assert.equal(entry.actor.accountId, seller.id);
    assert.equal(entry.actor.role, 'seller');
    assert.equal(entry.actor.userAgent, 'audit-test/1.0');
    assert.ok(entry.actor.ip, 'the client address is recorded');
    assert.deepEqual(entry.before, { onHand: before.onHand });
    assert.deepEqual(entry.after, { onHand: before.onHand + 3 });
    assert.ok(Math.abs(Date.parse(entry.occurredAt) - Date.now()) < 60_000);

    // At-least-once delivery: the same event delivered again (its job run twice) adds nothing.
    await enqueue(t.app.stores.catalog.db, { task: AUDIT_TASK, payload: second as unknown as Record<string, unknown> });
    await t.drainJobs();
    assert.equal(await t.app.audit.service.append(second), 'duplicate');
    entries = await entriesFor(variantId);
    assert.equal(entries.length, 2);
    assert.equal((await verify()).ok, true);
  });

  test('an action recorded in a transaction that rolls back leaves no entry', async () => {
    const targetId = newId();
    const recorder = auditRecorder(t.app.events);
    await assert.rejects(
      t.app.stores.catalog.db.transaction().execute(async (trx) => {
        await recorder.record(
          trx,
          { accountId: admin.id, role: 'admin', ip: null, userAgent: null },
          {
            action: 'thing.changed',
            targetType: 'thing',
            targetId,
            before: null,
            after: { x: 1 },
          },
        );
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    await t.drainJobs();
    assert.deepEqual(await entriesFor(targetId), []);
  });

  test('the application cannot update, delete or truncate an entry', async () => {
    await t.app.audit.service.append(event('thing.kept'));
    const db = t.app.stores.catalog.db;
    const refused = { code: '42501', message: /append-only|only advances/ };
    await assert.rejects(sql`update audit_log set action = 'forged'`.execute(db), refused);
    await assert.rejects(sql`delete from audit_log`.execute(db), refused);
    await assert.rejects(sql`truncate audit_log`.execute(db), refused);
    await assert.rejects(sql`update audit_chain_head set seq = 0, hash = ${'0'.repeat(64)}`.execute(db), refused);
    await assert.rejects(sql`delete from audit_chain_head`.execute(db), refused);
    assert.equal((await verify()).ok, true);
  });

  test('concurrent appends from several workers make one chain, each event once', async () => {
    // Three services stand in for three worker processes; each event is delivered twice.
    const services = [1, 2, 3].map(() => createAuditService({ db: t.app.stores.catalog.db, log: t.app.log }));
    const events = Array.from({ length: 30 }, (_, i) => event(`burst.${i}`));
    const before = (await verify()) as { entries: number };
    const outcomes = await Promise.all([...events, ...events].map((e, i) => services[i % services.length]!.append(e)));
    assert.equal(outcomes.filter((o) => o === 'appended').length, events.length);
    const verdict = await verify();
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
    assert.equal(verdict.entries, before.entries + events.length);
  });

  test('search: by actor, action, target and time range, newest first, in keyset pages', async () => {
    const target = newId();
    const start = new Date();
    for (let i = 0; i < 5; i++) await t.app.audit.service.append(event('search.probe', target));
    const all = await entriesFor(target);
    assert.equal(all.length, 5);
    assert.deepEqual(
      all.map((e) => e.seq),
      [...all.map((e) => e.seq)].sort((a, b) => b - a),
    );
    // Pages of two: 2 + 2 + 1, no entry twice, none missed.
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/admin/audit?targetType=thing&targetId=${target}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, admin);
      const page = res.json<AuditPage>();
      seen.push(...page.items.map((e) => e.seq));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(
      seen,
      all.map((e) => e.seq),
    );

    const byAction = (await get(`/admin/audit?action=search.probe&actorId=${admin.id}`, admin)).json<AuditPage>();
    assert.equal(byAction.items.length, 5);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    assert.equal((await get(`/admin/audit?action=search.probe&from=${future}`, admin)).json<AuditPage>().items.length, 0);
    const window = `from=${encodeURIComponent(new Date(start.getTime() - 1000).toISOString())}&to=${encodeURIComponent(future)}`;
    assert.equal((await get(`/admin/audit?action=search.probe&${window}`, admin)).json<AuditPage>().items.length, 5);

    const bad = await get('/admin/audit?cursor=abc', admin);
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json<{ error: { code: string } }>().error.code, 'AUDIT_INVALID_CURSOR');
    const backwards = await get(`/admin/audit?from=${future}&to=${start.toISOString()}`, admin);
    assert.equal(backwards.statusCode, 400, backwards.body);
  });

  test('only admins read the log or verify it: a seller is refused 403, a stranger 401', async () => {
    for (const url of ['/admin/audit', '/admin/audit/verify']) {
      assert.equal((await get(url, seller)).statusCode, 403, url);
      assert.equal((await t.server.inject({ method: 'GET', url: `/api/v1${url}` })).statusCode, 401, url);
    }
  });

  test('altered by hand in the database, the chain no longer verifies and names the entry; so does `atelier audit verify`', async () => {
    const ok = await runVerifyCommand();
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /audit log verified: \d+ entries/);
    assert.equal((await verify()).ok, true);

    const victim = 2;
    const original = await asSuperuser(
      async (c) => (await c.query<{ after: unknown }>(`select after from audit_log where seq = $1`, [victim])).rows[0]!.after,
    );
    // What an attacker with the database would do: triggers off for the session, then the edit.
    await tamper(`update audit_log set after = '{"onHand": 1000000}' where seq = $1`, [victim]);
    const verdict = await verify();
    assert.ok(!verdict.ok);
    assert.equal(verdict.firstBad.seq, victim);
    assert.equal(verdict.firstBad.problem, 'content_changed');
    assert.equal(verdict.entries, victim - 1);
    assert.deepEqual(await t.app.audit.service.verify(), verdict);

    const failed = await runVerifyCommand();
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, new RegExp(`entry ${victim} was changed`));

    // Put back as it was, the entry verifies again: the hash is of the content, nothing else.
    await tamper(`update audit_log set after = $2 where seq = $1`, [victim, JSON.stringify(original)]);
    assert.equal((await verify()).ok, true);
  });

  test('an entry removed from the end or the middle, or one forged in its place, is found too', async () => {
    const rowAt = (seq: number) =>
      asSuperuser(async (c) => (await c.query<Record<string, unknown>>(`select * from audit_log where seq = $1`, [seq])).rows[0]!);
    const restore = async (row: Record<string, unknown>) => {
      const cols = Object.keys(row);
      await tamper(
        `insert into audit_log (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
        cols.map((c) => (c === 'before' || c === 'after' ? JSON.stringify(row[c]) : row[c])),
      );
    };
    const head = (await verify()) as { headSeq: number };
    const last = await rowAt(head.headSeq);
    await tamper(`delete from audit_log where seq = $1`, [head.headSeq]);
    let verdict = await verify();
    assert.ok(!verdict.ok);
    assert.equal(verdict.firstBad.problem, 'head_mismatch');
    assert.equal(verdict.firstBad.seq, head.headSeq);
    await restore(last);
    assert.equal((await verify()).ok, true);

    const third = await rowAt(3);
    await tamper(`delete from audit_log where seq = 3`);
    verdict = await verify();
    assert.ok(!verdict.ok);
    assert.equal(verdict.firstBad.problem, 'entry_missing');
    assert.equal(verdict.firstBad.seq, 3);

    // A forged entry 3 with a hash made to match its own content still does not link to entry 4.
    await restore({ ...third, event_id: newId(), action: 'forged' });
    await tamper(`update audit_log set hash = $1 where seq = 3`, ['f'.repeat(64)]);
    verdict = await verify();
    assert.ok(!verdict.ok);
    assert.equal(verdict.firstBad.seq, 3);
    assert.equal(verdict.firstBad.problem, 'content_changed');
  });
});

/** A statement in a superuser session with triggers off: an attacker, not the application. */
function tamper(text: string, params: unknown[] = []): Promise<void> {
  return asSuperuser(async (c) => {
    await c.query(`set session_replication_role = replica`);
    await c.query(text, params);
  });
}

async function runVerifyCommand(): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [ATELIER_BIN, 'audit', 'verify'], {
      env: { ...process.env, ...t.env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
