import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { HotCounterSeries, HotHistogramSeries } from './hot-metrics.ts';
import { httpDuration, httpRequests } from './metrics.ts';
import { activeTracer } from './tracing.ts';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * The series of one route and method, made when the route is registered: the duration and the 5xx
 * counter at once, the other class counters on first use. The 5xx one is made early because a
 * series that appears with its first error hides that error from `rate()` (it has no earlier
 * sample to rise from), and the availability SLOs (ops/slo.ts) read 5xx: the first failures after
 * a deploy, when failures are likeliest, would count as none.
 */
class MethodSeries {
  readonly classes: Array<HotCounterSeries | undefined> = [undefined, undefined, undefined, undefined, undefined];
  readonly duration: HotHistogramSeries;
  constructor(
    readonly route: string,
    readonly method: string,
  ) {
    this.duration = httpDuration.series(route, method);
    this.classes[4] = httpRequests.series(route, method, STATUS_CLASSES[4]);
  }
  record(status: number, ms: number): void {
    const i = Math.min(Math.max(Math.trunc(status / 100), 1), 5) - 1;
    (this.classes[i] ??= httpRequests.series(this.route, this.method, STATUS_CLASSES[i]!)).inc();
    this.duration.observe(ms / 1000);
  }
}

class RouteSeries {
  private readonly methods: MethodSeries[];
  constructor(
    private readonly route: string,
    methods: readonly string[],
  ) {
    this.methods = methods.map((m) => new MethodSeries(route, m));
  }
  record(method: string, status: number, ms: number): void {
    let m = this.methods[0];
    if (this.methods.length !== 1 || m!.method !== method) {
      m = this.methods.find((x) => x.method === method);
      // Only requests that matched no route (any method) get here with a method not seen before.
      if (!m) this.methods.push((m = new MethodSeries(this.route, method)));
    }
    m!.record(status, ms);
  }
}

type Hook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

function append<T>(own: T | T[] | undefined, hook: T): T[] {
  return own === undefined ? [hook] : Array.isArray(own) ? [...own, hook] : [own, hook];
}

const SPAN = Symbol('atelier.span');
const SPAN_CONTEXT = Symbol('atelier.spanContext');
type Traced = FastifyRequest & { [SPAN]?: Span; [SPAN_CONTEXT]?: Context };

/**
 * The HTTP edge of observability, installed on the root server before any route:
 *
 * - request count by route pattern, method and status class, and duration by route and method:
 *   each route gets its own `onResponse` hook holding its series, so a request costs no label
 *   lookup; requests that match no route count under `route="unmatched"`;
 * - with tracing on, a server span per request (continuing a caller's `traceparent`), made the
 *   active context for the hooks and the handler (again after the body is read, which happens
 *   outside it), named `METHOD /route/:pattern` and answered with an `x-trace-id` header;
 *
 * Request ids (`x-request-id` in and out) and the `reqId` on request log lines are Fastify's
 * (`genReqId` in app/http.ts); the trace id reaches every log line through the logger's mixin.
 */
export function installHttpObservability(server: FastifyInstance): void {
  server.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? [...route.method] : [route.method];
    const series = new RouteSeries(route.url, methods);
    const hook: Hook = (request, reply, done) => {
      series.record(request.method, reply.statusCode, reply.elapsedTime);
      done();
    };
    route.onResponse = append(route.onResponse, hook as never);
  });
  const unmatched = new RouteSeries('unmatched', []);
  server.addHook('onResponse', (request, reply, done) => {
    if (request.is404) unmatched.record(request.method, reply.statusCode, reply.elapsedTime);
    done();
  });

  const tracer = activeTracer();
  if (tracer) {
    server.addHook('onRequest', (request: Traced, reply, done) => {
      const parent = propagation.extract(ROOT_CONTEXT, request.headers);
      const route = request.routeOptions.url;
      const span = tracer.startSpan(
        `${request.method} ${route ?? 'unmatched'}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': request.method,
            'http.route': route ?? 'unmatched',
            'url.path': request.url.split('?', 1)[0],
            'client.address': request.ip,
            'atelier.request_id': request.id,
          },
        },
        parent,
      );
      const ctx = trace.setSpan(parent, span);
      request[SPAN] = span;
      request[SPAN_CONTEXT] = ctx;
      void reply.header('x-trace-id', span.spanContext().traceId);
      context.with(ctx, done);
    });
    // The body is read between onRequest and preValidation, in the socket's context: enter again.
    server.addHook('preValidation', (request: Traced, _reply, done) => {
      const ctx = request[SPAN_CONTEXT];
      if (ctx) context.with(ctx, done);
      else done();
    });
    server.addHook('onResponse', (request: Traced, reply, done) => {
      const span = request[SPAN];
      if (!span) return done();
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      context.with(request[SPAN_CONTEXT]!, done);
    });
    server.addHook('onRequestAbort', (request: Traced, done) => {
      const span = request[SPAN];
      span?.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted the request' });
      span?.end();
      done();
    });
  }
}
