import { Type } from '@sinclair/typebox';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './identity.passwords.ts';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH } from './identity.service.ts';

/** Request and response schemas of the identity routes. Bodies reject unknown fields. */

const Id = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });

export const AccountSchema = Type.Object(
  {
    id: Id,
    email: Type.String(),
    name: Type.String(),
    role: Type.Union([Type.Literal('customer'), Type.Literal('seller'), Type.Literal('admin')]),
    /** False until the owner opens the link emailed at sign-up (or resets the password by email). */
    emailVerified: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const SignUpBody = Type.Object(
  {
    email: Type.String({ format: 'email', minLength: 3, maxLength: EMAIL_MAX_LENGTH }),
    password: Type.String({
      minLength: PASSWORD_MIN_LENGTH,
      maxLength: PASSWORD_MAX_LENGTH,
      description: 'At least 12 characters, not a common or easily guessed password',
    }),
    name: Type.String({ minLength: 1, maxLength: NAME_MAX_LENGTH }),
    // Admins are made by tooling (service.createAccount), never by sign-up.
    role: Type.Optional(Type.Union([Type.Literal('customer'), Type.Literal('seller')])),
  },
  { additionalProperties: false },
);

// Log-in checks only bounds: a malformed email is simply wrong credentials, like any other.
export const LogInBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: EMAIL_MAX_LENGTH }),
    password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
  },
  { additionalProperties: false },
);

export const AuthResult = Type.Object(
  {
    account: AccountSchema,
    /** The same token as the cookie, for API clients that send `Authorization: Bearer`. */
    token: Type.String(),
  },
  { additionalProperties: false },
);

export const AccountResult = Type.Object({ account: AccountSchema }, { additionalProperties: false });

/** An account as the console shows it: with when it was made. */
export const AccountDetailSchema = Type.Object({ ...AccountSchema.properties, createdAt: Timestamp }, { additionalProperties: false });
export const AccountDetailResult = Type.Object({ account: AccountDetailSchema }, { additionalProperties: false });
export const AccountSearchQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'The start of the email, or part of the name' })),
    role: Type.Optional(Type.Union([Type.Literal('customer'), Type.Literal('seller'), Type.Literal('admin')])),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 24 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 400 })),
  },
  { additionalProperties: false },
);
export const AccountSearchResult = Type.Object(
  { items: Type.Array(AccountDetailSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);

export const SessionSchema = Type.Object(
  {
    id: Id,
    createdAt: Timestamp,
    lastSeenAt: Timestamp,
    expiresAt: Timestamp,
    /** True for the session this request was made with. */
    current: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const SessionList = Type.Object({ sessions: Type.Array(SessionSchema, { maxItems: 100 }) }, { additionalProperties: false });

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

export { ErrorResponseSchema as ErrorResponse } from '../../platform/http/schemas.ts';

export const NoContent = Type.Null({ description: 'No content' });

const NewPassword = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });
// Existing passwords may predate today's rules: only bounds are checked when one is presented.
const GivenPassword = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH });
// An emailed token: `<shard>.<43 characters>`, as session tokens.
const EmailedToken = Type.String({ minLength: 3, maxLength: 60, pattern: '^[0-9a-z]{1,3}\\.[A-Za-z0-9_-]{43}$' });

export const PasswordBody = Type.Object({ password: GivenPassword }, { additionalProperties: false });
export const ChangePasswordBody = Type.Object(
  { currentPassword: GivenPassword, newPassword: NewPassword },
  { additionalProperties: false },
);
export const ResetRequestBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: EMAIL_MAX_LENGTH }) },
  { additionalProperties: false },
);
export const ResetConfirmBody = Type.Object({ token: EmailedToken, newPassword: NewPassword }, { additionalProperties: false });
export const TokenBody = Type.Object({ token: EmailedToken }, { additionalProperties: false });

/** Sign-up and reset requests: one answer whether or not the email has an account. */
export const CheckYourEmail = Type.Object(
  { status: Type.Literal('check_your_email'), message: Type.String() },
  { additionalProperties: false },
);
