import { DomainError } from '../../shared/errors.ts';

/** Every error the identity module raises. Fields name the input at fault as the HTTP body does. */
export const identityErrors = {
  /** Unknown email and wrong password look the same, so the answer never reveals which emails exist. */
  invalidCredentials: () => new DomainError('unauthenticated', 'IDENTITY_INVALID_CREDENTIALS', 'The email or password is wrong'),
  unauthenticated: () => new DomainError('unauthenticated', 'IDENTITY_UNAUTHENTICATED', 'Sign in to do this'),
  forbidden: () => new DomainError('forbidden', 'IDENTITY_FORBIDDEN', 'Your account may not do this'),
  emailTaken: () => new DomainError('conflict', 'IDENTITY_EMAIL_TAKEN', 'An account with this email already exists', 'body.email'),
  invalidEmail: () => new DomainError('invalid', 'IDENTITY_INVALID_EMAIL', 'The email address is not valid', 'body.email'),
  passwordLength: (min: number, max: number) =>
    new DomainError('invalid', 'IDENTITY_PASSWORD_LENGTH', `The password must be ${min} to ${max} characters long`, 'body.password'),
  invalidName: (max: number) =>
    new DomainError('invalid', 'IDENTITY_INVALID_NAME', `The name must be 1 to ${max} characters long`, 'body.name'),
  sessionNotFound: () => new DomainError('not_found', 'IDENTITY_SESSION_NOT_FOUND', 'No such session'),
  accountNotFound: () => new DomainError('not_found', 'IDENTITY_ACCOUNT_NOT_FOUND', 'No such account'),
} as const;
