import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { dueNow, jobsOf, settled } from '../../test/support/jobs.ts';
import { createTestApp, type TestApp } from '../../test/support/test-app.ts';
import { createEventBus, type DomainEvent } from './events.ts';
import { PermanentJobError, runDueJobsOnce, type TaskHandler } from './queue/queue.ts';

// Batched delivery on a real queue, with a bus of the test's own (its clock pinned, so every
// publish falls in one window) on the test app's catalog database.

let t: TestApp;
const log = pino({ level: 'silent' });
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

test('an event published while its window’s job runs gets a job of its own, and a failed running batch keeps its attempts', async () => {
  const handle = t.app.stores.catalog;
  const db = handle.db;
  const task = 'event:test.locked:sub';
  const bus = createEventBus({ now: () => Date.UTC(2030, 0, 1, 12) });
  const seen: string[][] = [];
  let gate: () => void = () => {};
  const released = new Promise<void>((resolve) => (gate = resolve));
  let running: () => void = () => {};
  const started = new Promise<void>((resolve) => (running = resolve));
  let calls = 0;
  bus.subscribeBatched(
    'test.locked',
    'sub',
    async (events) => {
      calls++;
      seen.push(events.map((e) => String(e.payload.n)));
      if (calls === 1) {
        running();
        await released;
        throw new Error('the first run fails after the second event came in');
      }
    },
    { maxDelayMs: 1000 },
  );
  const tasks: Record<string, TaskHandler> = bus.tasks();

  await db.transaction().execute((trx) => bus.publish(trx, 'test.locked', { n: 1 }));
  const [first] = await jobsOf<DomainEvent[]>(db, task);
  assert.ok(first?.key?.startsWith(`${task}:batch:`), 'keyed by its window');
  const firstId = first!.id;
  await dueNow(db, task);
  const run = runDueJobsOnce(handle, tasks, log);
  await started;
  // Same window (the clock is pinned), but its job is locked: add_jobs gives the key to a new job.
  await db.transaction().execute((trx) => bus.publish(trx, 'test.locked', { n: 2 }));
  gate();
  await run;
  await settled(db, task);

  const rows = await jobsOf<DomainEvent[]>(db, task);
  const old = rows.find((r) => r.id === firstId)!;
  assert.deepEqual(
    old.payload.map((e) => e.payload.n),
    [1],
  );
  assert.equal(old.key, null, 'the failed batch left its window');
  assert.ok(old.attempts < old.max_attempts, `retried, not failed for good (attempts ${old.attempts} of ${old.max_attempts})`);
  const fresh = rows.find((r) => r.id !== firstId);
  assert.ok(fresh, 'the second event has a job of its own');
  assert.deepEqual(
    fresh.payload.map((e) => e.payload.n),
    [2],
  );

  await dueNow(db, task);
  await runDueJobsOnce(handle, tasks, log);
  await settled(db, task);
  assert.deepEqual(await jobsOf<DomainEvent[]>(db, task), []);
  assert.deepEqual(seen.flat().sort(), ['1', '1', '2'], 'event 1 delivered again after its failure, event 2 once');
});

test('a poison event fails for good on its own; the rest of its batch is delivered', async () => {
  const handle = t.app.stores.catalog;
  const db = handle.db;
  const task = 'event:test.poison:sub';
  const bus = createEventBus({ now: () => Date.UTC(2030, 0, 1, 13) });
  const done: number[] = [];
  bus.subscribeBatched(
    'test.poison',
    'sub',
    async (events) => {
      if (events.some((e) => e.payload.n === 3)) throw new PermanentJobError('event 3 is not readable');
      done.push(...events.map((e) => e.payload.n as number));
    },
    { maxDelayMs: 1000 },
  );
  for (let n = 1; n <= 5; n++) await db.transaction().execute((trx) => bus.publish(trx, 'test.poison', { n }));
  const [batch] = await jobsOf<DomainEvent[]>(db, task);
  assert.equal(batch?.payload.length, 5, 'one job for the five events');
  await dueNow(db, task);
  await runDueJobsOnce(handle, bus.tasks(), log);
  await settled(db, task);

  assert.deepEqual(
    done.sort((a, b) => a - b),
    [1, 2, 4, 5],
  );
  const [left] = await jobsOf<DomainEvent[]>(db, task);
  assert.deepEqual(
    left!.payload.map((e) => e.payload.n),
    [3],
  );
  assert.equal(left!.attempts, left!.max_attempts, 'failed for good');
  const { rows } = await sql<{ last_error: string }>`select last_error from graphile_worker.jobs where id = ${left!.id}`.execute(db);
  assert.ok(rows[0]!.last_error.includes(left!.payload[0]!.id), 'the error names the event');
});

test('a job enqueued before the subscription was batched (one event, not an array) is still delivered', async () => {
  const bus = createEventBus();
  const got: unknown[] = [];
  bus.subscribeBatched('test.old', 'sub', async (events) => void got.push(...events.map((e) => e.id)), { maxDelayMs: 200 });
  const ctx = { database: 'catalog', jobId: '0', attempt: 1, maxAttempts: 1, log };
  await bus.tasks()['event:test.old:sub']!({ id: 'e1', type: 'test.old', occurredAt: new Date().toISOString(), payload: {} }, ctx);
  assert.deepEqual(got, ['e1']);
});
