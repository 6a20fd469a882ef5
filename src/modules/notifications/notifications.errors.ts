import { DomainError } from '../../shared/errors.ts';

/** Every error the notifications module raises: a caller handed over an email it cannot send. */
export const notificationsErrors = {
  invalidEmail: (field: string, why: string) =>
    new DomainError('invalid', 'NOTIFICATIONS_INVALID_EMAIL', `The email cannot be sent: ${field} ${why}`, field),
} as const;
