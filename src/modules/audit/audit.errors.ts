import { DomainError } from '../../shared/errors.ts';

/** The audit module's coded errors. Kinds, not statuses: app/http-errors.ts maps them. */
export const auditErrors = {
  invalidCursor: () =>
    new DomainError('invalid', 'AUDIT_INVALID_CURSOR', 'The cursor is not one this search returned', 'querystring.cursor'),
  invalidRange: () => new DomainError('invalid', 'AUDIT_INVALID_RANGE', 'The time range ends before it starts', 'querystring.to'),
};
