import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { AuthGuards } from '../identity/index.ts';
import { reportingErrors } from './reporting.errors.ts';
import type { Exports } from './reporting.exports.ts';
import { platformFigures, sellerSummary, type DayRange } from './reporting.queries.ts';
import {
  DEFAULT_RANGE_DAYS,
  ErrorResponse,
  ExportAccepted,
  ExportParams,
  ExportResponse,
  MAX_RANGE_DAYS,
  PlatformQuery,
  PlatformResponse,
  RangeQuery,
  SellerSummaryResponse,
} from './reporting.schemas.ts';
import { jsonWithHeaders, RESPONSE_HEADERS } from '../../platform/http/schemas.ts';

function errors<C extends number>(...codes: C[]): Record<C, typeof ErrorResponse> {
  return Object.fromEntries(codes.map((c) => [c, ErrorResponse])) as Record<C, typeof ErrorResponse>;
}

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** from/to as given or defaulted (the last DEFAULT_RANGE_DAYS days up to today, UTC); at most MAX_RANGE_DAYS days. */
export function resolveRange(q: { from?: string; to?: string }, now: Date): DayRange {
  const to = q.to ?? dayOf(now.getTime());
  const from = q.from ?? dayOf(Date.parse(to) - (DEFAULT_RANGE_DAYS - 1) * DAY_MS);
  const span = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (span < 1) throw reportingErrors.badRange('`from` is after `to`', 'querystring.from');
  if (span > MAX_RANGE_DAYS) throw reportingErrors.badRange(`The range is longer than ${MAX_RANGE_DAYS} days`, 'querystring.from');
  return { from, to };
}

/** The reporting endpoints, under /api/v1. They read reporting's tables only. */
export function reportingRoutes(deps: { db: Kysely<unknown>; exports: Exports; guards: AuthGuards }): FastifyPluginAsync {
  const { db, exports, guards } = deps;
  return async (instance) => {
    const api = instance.withTypeProvider<TypeBoxTypeProvider>();

    api.get(
      '/seller/reports/summary',
      {
        preHandler: guards.requireRole('seller'),
        schema: {
          operationId: 'getSellerSummary',
          tags: ['reporting'],
          summary: 'My sales: paid orders and revenue per day, top products, stock alerts',
          description: 'Built from events by background jobs, so it trails the orders by a few seconds.',
          querystring: RangeQuery,
          response: { 200: SellerSummaryResponse, ...errors(400, 401, 403) },
        },
      },
      async (request) => ({ summary: await sellerSummary(db, request.account!.id, resolveRange(request.query, new Date())) }),
    );

    api.get(
      '/admin/reports/platform',
      {
        preHandler: guards.requireRole('admin'),
        schema: {
          operationId: 'getPlatformReport',
          tags: ['reporting'],
          summary: 'Platform figures: paid orders per minute, gross sales, cart-to-order conversion',
          querystring: PlatformQuery,
          response: { 200: PlatformResponse, ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const now = new Date();
        return { platform: await platformFigures(db, resolveRange(request.query, now), request.query.minutes, now) };
      },
    );

    api.post(
      '/seller/exports/orders',
      {
        preHandler: guards.requireRole('seller'),
        schema: {
          operationId: 'startOrdersExport',
          tags: ['reporting'],
          summary: 'Export my orders as CSV (a background job); answers with the export to poll',
          description: 'While an export is pending or running, asking again returns that one.',
          response: { 202: jsonWithHeaders(ExportAccepted, { Location: RESPONSE_HEADERS.location }), ...errors(401, 403) },
        },
      },
      async (request, reply) => {
        const { export: started } = await exports.request(request.account!.id);
        const statusUrl = `/api/v1/seller/exports/${started.id}`;
        return reply.code(202).header('location', statusUrl).send({ export: started, statusUrl });
      },
    );

    api.get(
      '/seller/exports/:id',
      {
        preHandler: guards.requireRole('seller'),
        schema: {
          operationId: 'getExport',
          tags: ['reporting'],
          summary: 'One of my exports: its status, and where to download it when ready',
          params: ExportParams,
          response: { 200: ExportResponse, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({ export: await exports.get(request.account!.id, request.params.id) }),
    );

    api.get(
      '/seller/exports/:id/download',
      {
        preHandler: guards.requireRole('seller'),
        schema: {
          operationId: 'downloadExport',
          tags: ['reporting'],
          summary: 'The CSV file of one of my exports (409 while it is not ready)',
          params: ExportParams,
          response: {
            200: { description: 'The CSV file', content: { 'text/csv': { schema: { type: 'string' } } } },
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      async (request, reply) => {
        const file = await exports.open(request.account!.id, request.params.id);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-length', file.size)
          .header('content-disposition', `attachment; filename="${file.filename}"`)
          .header('cache-control', 'private, no-store')
          .send(file.body);
      },
    );
  };
}
