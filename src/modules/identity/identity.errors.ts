import { DomainError } from '../../shared/errors.ts';

/** Every error the identity module raises. Fields name the input at fault as the HTTP body does. */
export const identityErrors = {
  /** Unknown email and wrong password look the same, so the answer never reveals which emails exist. */
  invalidCredentials: (field?: string) =>
    new DomainError(
      'unauthenticated',
      'IDENTITY_INVALID_CREDENTIALS',
      field ? 'The password is wrong' : 'The email or password is wrong',
      field,
    ),
  /** A sensitive change by a seller or admin whose session last proved the password too long ago. */
  reauthenticationRequired: (minutes: number) =>
    new DomainError(
      'forbidden',
      'IDENTITY_REAUTHENTICATION_REQUIRED',
      `Enter your password again to do this (POST /api/v1/auth/reauthenticate); it is asked for every ${minutes} minutes`,
    ),
  /** Unknown, used, expired or for another purpose: one answer, so a token reveals nothing. */
  invalidToken: () =>
    new DomainError('invalid', 'IDENTITY_TOKEN_INVALID', 'This link is invalid or has expired: ask for a new one', 'body.token'),
  emailNotVerified: () =>
    new DomainError('forbidden', 'IDENTITY_EMAIL_NOT_VERIFIED', 'Confirm your email address first, with the link we sent you'),
  unauthenticated: () => new DomainError('unauthenticated', 'IDENTITY_UNAUTHENTICATED', 'Sign in to do this'),
  forbidden: () => new DomainError('forbidden', 'IDENTITY_FORBIDDEN', 'Your account may not do this'),
  emailTaken: () => new DomainError('conflict', 'IDENTITY_EMAIL_TAKEN', 'An account with this email already exists', 'body.email'),
  invalidEmail: () => new DomainError('invalid', 'IDENTITY_INVALID_EMAIL', 'The email address is not valid', 'body.email'),
  passwordLength: (min: number, max: number, field = 'body.password') =>
    new DomainError('invalid', 'IDENTITY_PASSWORD_LENGTH', `The password must be ${min} to ${max} characters long`, field),
  /** ASVS 2.1.7: a password in the common-password dictionaries or otherwise easily guessed. */
  weakPassword: (message: string, field = 'body.password') => new DomainError('invalid', 'IDENTITY_PASSWORD_TOO_WEAK', message, field),
  invalidName: (max: number) =>
    new DomainError('invalid', 'IDENTITY_INVALID_NAME', `The name must be 1 to ${max} characters long`, 'body.name'),
  sessionNotFound: () => new DomainError('not_found', 'IDENTITY_SESSION_NOT_FOUND', 'No such session'),
  accountNotFound: () => new DomainError('not_found', 'IDENTITY_ACCOUNT_NOT_FOUND', 'No such account'),
  alreadySeller: () => new DomainError('conflict', 'IDENTITY_ALREADY_SELLER', 'This account is a seller already, or an admin'),
  invalidCursor: () =>
    new DomainError('invalid', 'IDENTITY_INVALID_CURSOR', 'The cursor is not one this API gave out', 'querystring.cursor'),
} as const;
