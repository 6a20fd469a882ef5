import { DomainError } from '../../shared/errors.ts';

/** The operator console's coded errors. Kinds, not statuses: app/http-errors.ts maps them. */
export const opsErrors = {
  jobNotFound: () =>
    new DomainError('not_found', 'OPS_JOB_NOT_FOUND', 'No such job on that database (it may have succeeded or been discarded)'),
  jobNotFailed: (attempts: number, maxAttempts: number) =>
    new DomainError(
      'conflict',
      'OPS_JOB_NOT_FAILED',
      `Only a failed job can be retried or discarded; this one is waiting or running (attempt ${attempts} of ${maxAttempts})`,
      undefined,
      { attempts, maxAttempts },
    ),
};
