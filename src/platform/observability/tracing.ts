import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

/**
 * OpenTelemetry traces: a span per HTTP request (http-observability.ts), per SQL statement
 * (pg-instrumentation.ts), per cache load and per job, one trace from the request into the worker
 * because the trace context travels inside the job's payload (`_trace`, see `withTraceContext`).
 *
 * Off unless configured (OTEL_EXPORTER_OTLP_ENDPOINT or ATELIER_TRACING=true). Off costs nothing:
 * the SDK is never imported, no hook is installed, and every instrumented place asks
 * `activeTracer()` for null first. The spans are made by hand rather than by the
 * auto-instrumentation packages, which patch modules as they load (hard to do reliably under an
 * ESM loader) and put work on every call whether anything is exported or not.
 */
export type TracingSettings = Readonly<{
  /** OTLP/HTTP base URL (`/v1/traces` is appended); null: no OTLP export (tests pass an exporter). */
  endpoint: string | null;
  serviceName: string;
  /** Share of new traces kept (0..1); a trace started upstream keeps its caller's decision. */
  sampleRatio: number;
}>;

type Provider = { forceFlush(): Promise<void>; shutdown(): Promise<void> };

let tracer: Tracer | null = null;
let provider: Provider | null = null;

/** The tracer when tracing is on, else null: the one check every instrumented place makes. */
export function activeTracer(): Tracer | null {
  return tracer;
}

/**
 * Turns tracing on for this process (once; later calls are ignored). Loads the SDK, registers an
 * AsyncLocalStorage context manager and the W3C trace-context propagator, and exports spans in
 * batches over OTLP/HTTP, or to `exporter` (tests: the SDK's InMemorySpanExporter, sent
 * synchronously so a test sees a span as soon as it ends).
 */
export async function startTracing(settings: TracingSettings & { role: string }, exporter?: SpanExporter): Promise<void> {
  if (tracer) return;
  const [
    { TracerProvider, BatchSpanProcessor, SimpleSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler },
    hooks,
    core,
    resources,
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
  ]);
  let spanExporter = exporter;
  if (!spanExporter && settings.endpoint) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    spanExporter = new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces`, timeoutMillis: 5000 });
  }
  const processors = spanExporter
    ? [exporter ? new SimpleSpanProcessor({ exporter: spanExporter }) : new BatchSpanProcessor({ exporter: spanExporter })]
    : [];
  const p = new TracerProvider({
    resource: resources.resourceFromAttributes({
      'service.name': settings.serviceName,
      'service.instance.id': `${process.pid}`,
      'atelier.role': settings.role,
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
    spanProcessors: processors,
  });
  context.setGlobalContextManager(new hooks.AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(p);
  provider = p;
  tracer = p.getTracer('atelier');
}

/** Sends the spans still buffered (at shutdown: the batch processor holds up to 5 s of them). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush().catch(() => undefined);
}

/** The span of the operation running now (null when tracing is off or outside any span). */
export function activeSpan(): Span | null {
  return tracer ? (trace.getActiveSpan() ?? null) : null;
}

/**
 * Fields for every log line written inside a traced operation (pino `mixin`). A fresh object every
 * time: pino merges the line's own fields INTO what the mixin returns, so a shared (let alone
 * frozen) object would collect every line's fields or throw.
 */
export function traceLogFields(): object {
  if (!tracer) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/** The payload field that carries the enqueuer's trace context into the job. */
export const TRACE_FIELD = '_trace';

/**
 * The job payload to store: with the active trace context in `_trace` when tracing is on and a
 * span is active, else the payload itself (no copy).
 */
export function withTraceContext(payload: Record<string, unknown>): Record<string, unknown> {
  if (!tracer || !trace.getActiveSpan()) return payload;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? { ...payload, [TRACE_FIELD]: carrier } : payload;
}

/**
 * Splits a stored payload into the handler's payload (without `_trace`) and the trace context it
 * carried. The field is removed whether tracing is on here or not: the enqueuer may trace while
 * this worker does not, and a handler must never see it.
 */
export function takeTraceContext(payload: Record<string, unknown>): { payload: Record<string, unknown>; parent: Context | null } {
  if (!(TRACE_FIELD in payload)) return { payload, parent: null };
  const { [TRACE_FIELD]: carrier, ...rest } = payload;
  if (!tracer || typeof carrier !== 'object' || carrier === null) return { payload: rest, parent: null };
  return { payload: rest, parent: propagation.extract(ROOT_CONTEXT, carrier as Record<string, string>) };
}

/**
 * Runs `fn` in a new span (child of `parent`, else of the active span), ending it when `fn`
 * settles and marking it failed when `fn` throws. With tracing off, just runs `fn`.
 */
export function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, parent: Context | null, fn: () => Promise<T>): Promise<T> {
  if (!tracer) return fn();
  const base = parent ?? context.active();
  const span = tracer.startSpan(name, { kind, attributes }, base);
  return context.with(trace.setSpan(base, span), async () => {
    try {
      return await fn();
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

export function failSpan(span: Span, err: unknown): void {
  if (err instanceof Error) span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

export { SpanKind, type Attributes };
