import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { enqueue, listFailedJobs, PermanentJobError, runDueJobsOnce, startWorkers, type TaskHandler } from './queue.ts';
import type { WorkerEvents } from 'graphile-worker';
import { queueFigures } from '../observability/queue-metrics.ts';

let t: TestApp;
const log = pino({ level: 'silent' });
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

async function jobCount(task: string, db = t.app.stores.catalog.db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs where task_identifier = ${task}`.execute(
    db,
  );
  return rows[0]!.n;
}

test('a job exists if and only if the transaction that enqueued it committed', async () => {
  const db = t.app.stores.catalog.db;
  await assert.rejects(
    db.transaction().execute(async (trx) => {
      await enqueue(trx, { task: 'test.rolled-back', payload: {} });
      throw new Error('the change failed');
    }),
    /the change failed/,
  );
  assert.equal(await jobCount('test.rolled-back'), 0);
  await db.transaction().execute((trx) => enqueue(trx, { task: 'test.committed', payload: { n: 1 } }));
  assert.equal(await jobCount('test.committed'), 1);
});

test('the workers drain the queue of every database', async () => {
  const ran: string[] = [];
  const tasks: Record<string, TaskHandler> = {
    'test.everywhere': async (payload, ctx) => {
      ran.push(`${ctx.database}:${String(payload.from)}`);
    },
  };
  for (const handle of t.app.stores.all()) await enqueue(handle.db, { task: 'test.everywhere', payload: { from: handle.name } });
  const workers = await startWorkers({ databases: t.app.stores.all(), tasks, concurrency: 1, log });
  try {
    const deadline = Date.now() + 15_000;
    while (ran.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await workers.stop();
  }
  assert.deepEqual(ran.sort(), ['catalog:catalog', 'shard0:shard0', 'shard1:shard1']);
});

test('a failing job is retried later with backoff; a permanent failure stops and is listed', async () => {
  const db = t.app.stores.catalog.db;
  const tasks: Record<string, TaskHandler> = {
    'test.flaky': async () => {
      throw new Error('provider timed out');
    },
    'test.hopeless': async () => {
      throw new PermanentJobError('the product is gone');
    },
  };
  await enqueue(db, { task: 'test.flaky', payload: {} });
  await enqueue(db, { task: 'test.hopeless', payload: {} });
  await runDueJobsOnce(t.app.stores.catalog, tasks, log);

  const { rows } = await sql<{ task_identifier: string; attempts: number; max_attempts: number; later: boolean; last_error: string }>`
    select task_identifier, attempts, max_attempts, run_at > now() as later, last_error
    from graphile_worker.jobs where task_identifier like 'test.%' and task_identifier <> 'test.committed'
    order by task_identifier`.execute(db);
  const flaky = rows.find((r) => r.task_identifier === 'test.flaky')!;
  const hopeless = rows.find((r) => r.task_identifier === 'test.hopeless')!;
  // Under load the first backoff (about e^1 s) can pass before the run ends, so it may be tried twice.
  assert.ok(flaky.attempts >= 1 && flaky.attempts < flaky.max_attempts, `attempts ${flaky.attempts}`);
  assert.ok(flaky.max_attempts > 1 && flaky.later, 'retried later, not at once');
  assert.match(flaky.last_error, /provider timed out/);
  assert.equal(hopeless.attempts, hopeless.max_attempts, 'no attempts left');

  const failed = await listFailedJobs(t.app.stores.all(), 10);
  assert.deepEqual(
    failed.map((f) => [f.database, f.task]),
    [['catalog', 'test.hopeless']],
  );
  assert.match(failed[0]!.lastError ?? '', /the product is gone/);
});

test("a runner with idleRefetchMs does not fetch on every other task's job, and still runs its own", async () => {
  const catalog = t.app.stores.catalog;
  const fetches = { eager: 0, idle: 0 };
  const counting = (which: keyof typeof fetches) => {
    const events = new EventEmitter() as WorkerEvents;
    events.on('localQueue:getJobs:complete', () => fetches[which]++);
    return events;
  };
  let common = 0;
  let rareRanAt = 0;
  const eager = await startWorkers({
    databases: [catalog],
    tasks: { 'test.common': async () => void common++ },
    concurrency: 1,
    events: counting('eager'),
    log,
  });
  const idle = await startWorkers({
    databases: [catalog],
    tasks: { 'test.rare': async () => void (rareRanAt = Date.now()) },
    concurrency: 1,
    idleRefetchMs: 500,
    events: counting('idle'),
    log,
  });
  try {
    await new Promise((r) => setTimeout(r, 300));
    fetches.eager = fetches.idle = 0;
    const started = Date.now();
    const jobs = 30;
    for (let i = 0; i < jobs; i++) {
      await enqueue(catalog.db, { task: 'test.common', payload: { i } });
      await new Promise((r) => setTimeout(r, 30));
    }
    const deadline = Date.now() + 15_000;
    while (common < jobs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const elapsed = Date.now() - started;
    assert.equal(common, jobs);
    // Woken by each of the 30 jobs, the eager runner fetches for (nearly) each; the idle one about
    // once per 500 ms (0.5-1.5 times that, at random), whatever the notifications say.
    assert.ok(fetches.eager >= jobs / 2, `eager runner fetched ${fetches.eager} times for ${jobs} jobs`);
    assert.ok(fetches.idle <= Math.ceil(elapsed / 250) + 1, `idle runner fetched ${fetches.idle} times in ${elapsed} ms`);
    assert.ok(fetches.idle < fetches.eager / 2, `idle ${fetches.idle} vs eager ${fetches.eager}`);

    const added = Date.now();
    await enqueue(catalog.db, { task: 'test.rare', payload: {} });
    while (rareRanAt === 0 && Date.now() < added + 10_000) await new Promise((r) => setTimeout(r, 20));
    assert.ok(rareRanAt > 0, 'the idle runner still runs its own job');
  } finally {
    await Promise.all([eager.stop(), idle.stop()]);
  }
});

test('runDueJobsOnce returns only once its jobs are recorded done or failed, however slow that write is', async () => {
  // A payment retry's shape: the job re-enqueues itself under its own key for later, which gives the
  // running job's key away; its row goes only when its completion is written. The delete (and the
  // failed job's unlock) is slowed by a trigger, so a runner that does not wait for them returns
  // with the old rows still there.
  const shard = t.app.stores.shards.databases[1]!;
  await shard.pool.query(`
    create function pg_temp_slow_job_write() returns trigger language plpgsql as $$
    begin
      if (select identifier from graphile_worker._private_tasks where id = old.task_id) like 'test.slow-%'
         and (tg_op = 'DELETE' or (old.locked_at is not null and new.locked_at is null)) then
        perform pg_sleep(0.4);
      end if;
      return case when tg_op = 'DELETE' then old else new end;
    end $$;
    create trigger slow_job_write before delete or update on graphile_worker._private_jobs
      for each row execute function pg_temp_slow_job_write();`);
  try {
    const tasks: Record<string, TaskHandler> = {
      'test.slow-retry': async (payload) => {
        const round = Number(payload.round);
        await enqueue(shard.db, {
          task: 'test.slow-retry',
          payload: { round: round + 1 },
          jobKey: 'test.slow-retry:one',
          runAt: new Date(Date.now() + 60_000),
        });
      },
      'test.slow-fail': async () => {
        throw new Error('provider timed out');
      },
    };
    await enqueue(shard.db, { task: 'test.slow-retry', payload: { round: 0 }, jobKey: 'test.slow-retry:one' });
    await enqueue(shard.db, { task: 'test.slow-fail', payload: {} });
    await runDueJobsOnce(shard, tasks, log);
    const { rows } = await shard.pool.query<{ task: string; payload: { round?: number }; locked: boolean; last_error: string | null }>(
      `select t.identifier as task, j.payload, j.locked_at is not null as locked, j.last_error
       from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
       where t.identifier like 'test.slow-%' order by t.identifier, j.id`,
    );
    assert.deepEqual(
      rows.map((r) => ({ task: r.task, round: r.payload.round, locked: r.locked, failed: r.last_error !== null })),
      [
        { task: 'test.slow-fail', round: undefined, locked: false, failed: true },
        { task: 'test.slow-retry', round: 1, locked: false, failed: false },
      ],
    );
  } finally {
    await shard.pool.query('drop trigger slow_job_write on graphile_worker._private_jobs; drop function pg_temp_slow_job_write()');
  }
});

test('a running job that re-enqueued itself under its own key is neither listed nor counted as failed', async () => {
  // add_jobs gives a running job's key to the new job and sets the running one's attempts to its
  // max_attempts (so it is not retried): the payment job's shape while the provider is down.
  const shard = t.app.stores.shards.databases[0]!;
  const seen: Array<{ listed: string[]; failed: number | undefined }> = [];
  const tasks: Record<string, TaskHandler> = {
    'test.again-later': async () => {
      await enqueue(shard.db, {
        task: 'test.again-later',
        payload: {},
        jobKey: 'test.again-later:one',
        runAt: new Date(Date.now() + 60_000),
      });
      const listed = (await listFailedJobs([shard], 10)).map((f) => f.task);
      seen.push({ listed, failed: (await queueFigures(shard.db))?.failed });
    },
  };
  await enqueue(shard.db, { task: 'test.again-later', payload: {}, jobKey: 'test.again-later:one' });
  await runDueJobsOnce(shard, tasks, log);
  assert.deepEqual(seen, [{ listed: [], failed: 0 }]);
});
