import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, ResetConfirmBody, SignUpBody } from '../../modules/identity/index.ts';
import { validatorCompiler } from '../../platform/http/validation.ts';
import type { FieldError } from '../forms.ts';

/**
 * A page form is checked by the very schema the JSON API checks (identity's SignUpBody and
 * ResetConfirmBody, with the same validator), field by field so every problem is listed at once,
 * with a message a person can act on instead of the validator's.
 */
type Check = (value: unknown) => boolean;
const compile = (schema: unknown): Check =>
  validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '/' } as unknown as Parameters<typeof validatorCompiler>[0]) as Check;

const email = compile(SignUpBody.properties.email);
const name = compile(SignUpBody.properties.name);
const newPassword = compile(SignUpBody.properties.password);
const token = compile(ResetConfirmBody.properties.token);

export const EMAIL_MESSAGE = 'Enter an email address in the correct format, like name@example.com';

function passwordProblem(field: string, value: string): FieldError | null {
  if (newPassword(value)) return null;
  if (value.length === 0) return { field, message: 'Enter a password' };
  if (value.length < PASSWORD_MIN_LENGTH) return { field, message: `Password must be at least ${PASSWORD_MIN_LENGTH} characters long` };
  return { field, message: `Password must be ${PASSWORD_MAX_LENGTH} characters or fewer` };
}

export function signUpProblems(input: { name: string; email: string; password: string }): FieldError[] {
  const problems: FieldError[] = [];
  if (!name(input.name))
    problems.push({ field: 'name', message: input.name.length === 0 ? 'Enter your name' : 'Name must be 100 characters or fewer' });
  if (!email(input.email))
    problems.push({ field: 'email', message: input.email.length === 0 ? 'Enter your email address' : EMAIL_MESSAGE });
  const pw = passwordProblem('password', input.password);
  if (pw) problems.push(pw);
  return problems;
}

export const TOKEN_MESSAGE = 'Enter the code from the link in your email: the part after #token=';

export function tokenProblem(field: string, value: string): FieldError | null {
  return token(value) ? null : { field, message: value.length === 0 ? 'Enter the code from your email' : TOKEN_MESSAGE };
}

export function newPasswordProblem(field: string, value: string): FieldError | null {
  return passwordProblem(field, value);
}
