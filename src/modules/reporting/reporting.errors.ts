import { DomainError } from '../../shared/errors.ts';

/** The reporting module's error catalogue: stable codes, kinds (never HTTP statuses). */
export const reportingErrors = {
  badRange: (message: string, field: string) => new DomainError('invalid', 'REPORTING_BAD_RANGE', message, field),
  exportNotFound: () => new DomainError('not_found', 'REPORTING_EXPORT_NOT_FOUND', 'No such export'),
  exportNotReady: (status: string) =>
    new DomainError(
      'conflict',
      'REPORTING_EXPORT_NOT_READY',
      status === 'failed' ? 'The export failed; start a new one' : 'The export is not ready yet; poll its status',
      undefined,
      { status },
    ),
};
