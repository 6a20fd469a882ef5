import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { SpanKind } from '@opentelemetry/api';
import { inSpan, startTracing, traceLogFields } from '../src/platform/observability/tracing.ts';
import { enqueue, runDueJobsOnce } from '../src/platform/queue/queue.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';
import { ADDRESS, checkout, lines, listing, signUpMany, type Accepted } from './checkout/support.ts';

// Tracing is process-wide: this file turns it on (with the SDK's own in-memory exporter) before
// the app is made, as `createContainer` does for a configured OTLP endpoint.
const exporter = new InMemorySpanExporter();
let t: TestApp;

before(async () => {
  await startTracing({ endpoint: null, serviceName: 'atelier-test', sampleRatio: 1, role: 'test' }, exporter);
  t = await createTestApp();
});
after(() => t?.close());

const idOf = (s: ReadableSpan) => s.spanContext().spanId;
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

/** Whether `span` descends from `ancestor` through the spans of its trace. */
function descends(span: ReadableSpan, ancestor: ReadableSpan, all: readonly ReadableSpan[]): boolean {
  const byId = new Map(all.map((s) => [idOf(s), s]));
  for (let p = parentOf(span); p; p = byId.get(p) ? parentOf(byId.get(p)!) : undefined) if (p === idOf(ancestor)) return true;
  return false;
}

test('a checkout is one trace: the HTTP request, its SQL, the cache, and the payment job with its own SQL', async () => {
  const buyer = (await signUpMany(t.server, 1))[0]!;
  const item = await listing(t, [{ price: 1200, stock: 5 }]);
  exporter.reset();

  const res = await checkout(t.server, buyer, { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS });
  assert.equal(res.statusCode, 202, res.body);
  const traceId = res.headers['x-trace-id'] as string;
  assert.match(traceId, /^[0-9a-f]{32}$/);

  // The job row carries the trace context; the handler will not see it.
  const shard = t.app.stores.shards.forId(res.json<Accepted>().order.id);
  const { rows } = await shard.pool.query<{ payload: Record<string, unknown> }>(
    `select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'orders.collect-payment'`,
  );
  assert.match(
    String((rows[0]?.payload._trace as { traceparent?: string } | undefined)?.traceparent),
    new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
  );

  await t.drainJobs();
  assert.equal(await t.app.orders.service.getOrderStatus(res.json<Accepted>().order.id), 'paid');

  const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  const http = spans.find((s) => s.kind === SpanKind.SERVER);
  assert.ok(http, 'a server span');
  assert.equal(http.name, 'POST /api/v1/checkout');
  assert.equal(http.attributes['http.response.status_code'], 202);
  assert.equal(parentOf(http), undefined, 'the request span is the root');

  const requestSql = spans.filter(
    (s) => s.kind === SpanKind.CLIENT && descends(s, http, spans) && s.attributes['db.system.name'] === 'postgresql',
  );
  assert.ok(
    requestSql.some((s) => s.name === 'with insert orders'),
    requestSql.map((s) => s.name).join(', '),
  );
  // The order's payment job is enqueued inside that statement; the Idempotency-Key claim is its own.
  assert.ok(requestSql.some((s) => s.name === 'insert orders_idempotency'));

  const job = spans.find((s) => s.name === 'job orders.collect-payment');
  assert.ok(job, `a job span among ${spans.map((s) => s.name).join(', ')}`);
  assert.equal(job.kind, SpanKind.CONSUMER);
  assert.ok(descends(job, http, spans), 'the job span is in the request trace, under the request');
  const jobSql = spans.filter((s) => s.kind === SpanKind.CLIENT && descends(s, job, spans));
  // Its own move of the order to paid (a data-modifying CTE: `with update orders`).
  assert.ok(
    jobSql.some((s) => s.name.includes('update orders')),
    jobSql.map((s) => s.name).join(', '),
  );
});

test('a job enqueued inside a span runs in a child span; its handler never sees the _trace field; logs carry the trace id', async () => {
  const handle = t.app.stores.catalog;
  exporter.reset();
  let enqueueTraceId = '';
  await inSpan('enqueue something', SpanKind.INTERNAL, {}, null, async () => {
    enqueueTraceId = (traceLogFields() as { traceId: string }).traceId;
    await enqueue(handle.db, { task: 'obs.trace-test', payload: { n: 7 } });
  });
  assert.match(enqueueTraceId, /^[0-9a-f]{32}$/);

  const seen: Array<Record<string, unknown>> = [];
  let logFields: object = {};
  await runDueJobsOnce(
    handle,
    {
      'obs.trace-test': async (payload) => {
        seen.push(payload);
        logFields = traceLogFields();
      },
    },
    t.app.log,
  );
  assert.deepEqual(seen, [{ n: 7 }]);
  assert.equal((logFields as { traceId?: string }).traceId, enqueueTraceId);
  const spans = exporter.getFinishedSpans();
  const parent = spans.find((s) => s.name === 'enqueue something')!;
  const job = spans.find((s) => s.name === 'job obs.trace-test')!;
  assert.equal(job.spanContext().traceId, parent.spanContext().traceId);
  assert.equal(parentOf(job), idOf(parent));
});

test('a failing job marks its span failed', async () => {
  const handle = t.app.stores.catalog;
  exporter.reset();
  await enqueue(handle.db, { task: 'obs.trace-fail', payload: {}, maxAttempts: 1 });
  await runDueJobsOnce(
    handle,
    {
      'obs.trace-fail': async () => {
        throw new Error('boom');
      },
    },
    t.app.log,
  );
  const job = exporter.getFinishedSpans().find((s) => s.name === 'job obs.trace-fail');
  assert.ok(job);
  assert.equal(job.status.code, 2 /* ERROR */);
  assert.equal(job.status.message, 'boom');
});

test('a statement outside any traced operation makes no span; inside one, it is a child span', async () => {
  const pool = t.app.stores.catalog.pool;
  exporter.reset();
  await pool.query('select 1 as outside_any_span');
  await inSpan('around a statement', SpanKind.INTERNAL, {}, null, () => pool.query('select 2 as inside_a_span'));
  const spans = exporter.getFinishedSpans();
  const sql = spans.filter((s) => s.kind === SpanKind.CLIENT).map((s) => s.attributes['db.query.text']);
  assert.deepEqual(sql, ['select 2 as inside_a_span']);
  const around = spans.find((s) => s.name === 'around a statement')!;
  assert.equal(parentOf(spans.find((s) => s.kind === SpanKind.CLIENT)!), idOf(around));
});
