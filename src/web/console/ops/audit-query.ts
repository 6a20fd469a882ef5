import type { FastifyRequest } from 'fastify';
import type { AuditSearch } from '../../../modules/audit/index.ts';
import { queryField, type FieldError } from '../../forms.ts';

/** The audit log's filters as typed into the form (the form shows them back). */
export type AuditFilters = Readonly<{
  action: string;
  targetType: string;
  targetId: string;
  actorId: string;
  from: string;
  to: string;
}>;

/** Each filter's query parameter and the id of its input (the error summary links to it). */
export const FILTER_FIELDS = [
  { key: 'action', id: 'action', label: 'Action' },
  { key: 'targetType', id: 'target-type', label: 'Target type' },
  { key: 'targetId', id: 'target-id', label: 'Target id' },
  { key: 'actorId', id: 'actor-id', label: 'Actor id' },
] as const;

const PER_PAGE = 25;
const MAX_TEXT = 200;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const validDate = (d: string) => DATE.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`));

function dateErrors(f: AuditFilters): FieldError[] {
  const errors: FieldError[] = [];
  if (f.from && !validDate(f.from)) errors.push({ field: 'from', message: 'Enter the start date as a date, like 2026-12-01' });
  if (f.to && !validDate(f.to)) errors.push({ field: 'to', message: 'Enter the end date as a date, like 2026-12-31' });
  if (errors.length === 0 && f.from && f.to && f.to < f.from)
    errors.push({ field: 'to', message: 'The end date is before the start date' });
  return errors;
}

function textErrors(f: AuditFilters): FieldError[] {
  return FILTER_FIELDS.filter((d) => f[d.key].length > MAX_TEXT).map((d) => ({
    field: d.id,
    message: `${d.label} must be ${MAX_TEXT} characters or fewer`,
  }));
}

/** The search the module runs: only the filters given; dates cover whole UTC days. */
function searchOf(f: AuditFilters, cursor: string): AuditSearch {
  const given = (v: string) => (v ? v : undefined);
  const entries = Object.entries({
    action: given(f.action),
    targetType: given(f.targetType),
    targetId: given(f.targetId),
    actorId: given(f.actorId),
    from: f.from ? `${f.from}T00:00:00.000Z` : undefined,
    to: f.to ? `${f.to}T23:59:59.999Z` : undefined,
    cursor: /^[1-9][0-9]{0,15}$/.test(cursor) ? cursor : undefined,
  }).filter(([, v]) => v !== undefined);
  return { ...(Object.fromEntries(entries) as AuditSearch), limit: PER_PAGE };
}

/** The filters in the query string, the search they make, and what is wrong with them. */
export function parseAuditQuery(request: FastifyRequest): { filters: AuditFilters; search: AuditSearch; errors: FieldError[] } {
  const read = (name: string) => queryField(request, name).trim();
  const filters: AuditFilters = {
    action: read('action'),
    targetType: read('targetType'),
    targetId: read('targetId'),
    actorId: read('actorId'),
    from: read('from'),
    to: read('to'),
  };
  const errors = [...textErrors(filters), ...dateErrors(filters)];
  return { filters, search: searchOf(filters, read('cursor')), errors };
}

/** The query string of these filters (for the next page's link), without empty ones. */
export function filtersQuery(f: AuditFilters, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) params.set(k, v);
  if (cursor) params.set('cursor', cursor);
  const q = params.toString();
  return q ? `?${q}` : '';
}
