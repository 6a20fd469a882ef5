import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type {} from '@fastify/cookie';
import { identityErrors } from './identity.errors.ts';
import type { SessionResolver } from './identity.guards.ts';
import { auditActorOf } from '../audit/index.ts';
import {
  AccountDetailResult,
  AccountResult,
  AccountSearchQuery,
  AccountSearchResult,
  AuthResult,
  ChangePasswordBody,
  CheckYourEmail,
  ErrorResponse,
  IdParams,
  LogInBody,
  NoContent,
  PasswordBody,
  ResetConfirmBody,
  ResetRequestBody,
  SessionList,
  SignUpBody,
  TokenBody,
} from './identity.schemas.ts';
import type { IdentityInternals } from './identity.service.ts';
import type { IdentitySettings } from './identity.types.ts';
import type { IdentityPages, SessionCookies } from './identity.web-sessions.ts';
import { jsonWithHeaders, RESPONSE_HEADERS } from '../../platform/http/schemas.ts';

/** Credentials are small; a tight limit keeps a flood of large bodies from costing parse time. */
const AUTH_BODY_LIMIT = 4096;
const tags = ['identity'];

export function identityRoutes(deps: {
  service: IdentityInternals;
  sessions: SessionResolver;
  settings: IdentitySettings;
  /** The cookies and session handling the storefront's pages share (identity.web-sessions.ts). */
  cookies: SessionCookies;
  pages: IdentityPages;
}): FastifyPluginAsyncTypebox {
  const { service, sessions } = deps;
  const { requireAccount, requireRole } = sessions.guards;

  const { cookies, pages } = deps;
  /** What sign-up and reset requests answer, whether or not the email has an account. */
  const checkYourEmail = {
    status: 'check_your_email' as const,
    message: 'If the address can receive email, we have sent it a message with what to do next.',
  };

  return async (api) => {
    api.post(
      '/auth/signup',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        schema: {
          operationId: 'signUp',
          tags,
          summary: 'Create a customer or seller account; the answer is the same whether or not the email has one',
          description:
            'Answers 202 for a new email (an unverified account is made and a verification link emailed) and for an email that has an account (its owner is emailed instead), so sign-up reveals nothing about which emails exist. It never signs in: sign in with POST /auth/login.',
          body: SignUpBody,
          response: { 202: CheckYourEmail, 400: ErrorResponse },
        },
      },
      async (request, reply) => {
        const { email, password, name, role } = request.body;
        await service.signUp({ email, password, name, role: role ?? 'customer' });
        return reply.code(202).send(checkYourEmail);
      },
    );

    api.post(
      '/auth/login',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        // Before the rate limits (appended after the route's own preHandlers): a browser that signed
        // in to this account before is exempt from the account's hourly cap (app/http.ts).
        preHandler: pages.recognizeDevice,
        schema: {
          operationId: 'logIn',
          tags,
          summary: 'Sign in; every sign-in issues a new session token',
          body: LogInBody,
          response: {
            200: jsonWithHeaders(AuthResult, { 'Set-Cookie': RESPONSE_HEADERS.setCookie }),
            400: ErrorResponse,
            401: ErrorResponse,
          },
        },
      },
      async (request, reply) => {
        const { account, token, newDevice } = await service.logIn(
          request.body.email,
          request.body.password,
          cookies.presentedDevice(request),
        );
        cookies.setSession(reply, token, account.role);
        if (newDevice) cookies.setDevice(reply, newDevice);
        return { account, token };
      },
    );

    api.post(
      '/auth/logout',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        schema: {
          operationId: 'logOut',
          tags,
          summary: 'Revoke the presented session and clear the cookie',
          response: { 204: { description: 'Signed out', headers: { 'Set-Cookie': RESPONSE_HEADERS.setCookie } } },
        },
      },
      // Idempotent: signing out without a live session still clears the cookie and succeeds.
      async (request, reply) => {
        // Already revoked by a concurrent request is fine; a database failure is not, because the
        // client would believe a still-live token dead.
        await pages.signOut(request, reply);
        return reply.code(204).send(null);
      },
    );

    api.get(
      '/auth/me',
      {
        preHandler: requireAccount,
        schema: { operationId: 'getMe', tags, summary: 'The signed-in account', response: { 200: AccountResult, 401: ErrorResponse } },
      },
      async (request) => ({ account: request.account! }),
    );

    api.get(
      '/auth/sessions',
      {
        preHandler: requireAccount,
        schema: {
          operationId: 'listMySessions',
          tags,
          summary: "The caller's live sessions",
          response: { 200: SessionList, 401: ErrorResponse },
        },
      },
      async (request) => {
        return { sessions: await pages.sessions((await sessions.current(request))!) };
      },
    );

    api.delete(
      '/auth/sessions/:id',
      {
        preHandler: requireAccount,
        schema: {
          operationId: 'revokeSession',
          tags,
          summary: 'Revoke one of your own sessions',
          params: IdParams,
          response: { 204: NoContent, 401: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request, reply) => {
        await pages.revokeSession(reply, (await sessions.current(request))!, request.params.id);
        return reply.code(204).send(null);
      },
    );

    api.post(
      '/auth/reauthenticate',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        preHandler: requireAccount,
        schema: {
          operationId: 'reauthenticate',
          tags,
          summary: 'Enter the password again, before a sensitive change (sellers and admins are asked every SESSION_REAUTH_MINUTES)',
          body: PasswordBody,
          response: { 204: NoContent, 401: ErrorResponse },
        },
      },
      async (request, reply) => {
        await service.reauthenticate((await sessions.current(request))!, request.body.password);
        return reply.code(204).send(null);
      },
    );

    api.post(
      '/auth/password',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        preHandler: requireAccount,
        schema: {
          operationId: 'changePassword',
          tags,
          summary: 'Change the password, with the current one; every other session of the account ends',
          body: ChangePasswordBody,
          response: { 204: NoContent, 400: ErrorResponse, 401: ErrorResponse },
        },
      },
      async (request, reply) => {
        await service.changePassword((await sessions.current(request))!, request.body.currentPassword, request.body.newPassword);
        return reply.code(204).send(null);
      },
    );

    api.post(
      '/auth/password-reset',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        schema: {
          operationId: 'requestPasswordReset',
          tags,
          summary: 'Email a password-reset link; the answer is the same whether or not the email has an account',
          body: ResetRequestBody,
          response: { 202: CheckYourEmail, 400: ErrorResponse },
        },
      },
      async (request, reply) => {
        // The work happens after the answer, so its time says nothing about whether the email has
        // an account; a failure is logged, and the person asks again.
        pages.requestPasswordReset(request, request.body.email);
        return reply.code(202).send(checkYourEmail);
      },
    );

    api.post(
      '/auth/password-reset/confirm',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        schema: {
          operationId: 'resetPassword',
          tags,
          summary: 'Set a new password with the emailed token (single use); every session of the account ends',
          body: ResetConfirmBody,
          response: { 204: NoContent, 400: ErrorResponse },
        },
      },
      async (request, reply) => {
        await pages.resetPassword(reply, request.body.token, request.body.newPassword);
        return reply.code(204).send(null);
      },
    );

    api.post(
      '/auth/verify-email',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        schema: {
          operationId: 'verifyEmail',
          tags,
          summary: 'Confirm an email address with the token from the sign-up email (single use)',
          body: TokenBody,
          response: { 204: NoContent, 400: ErrorResponse },
        },
      },
      async (request, reply) => {
        await pages.verifyEmail(request.body.token);
        return reply.code(204).send(null);
      },
    );

    api.post(
      '/account/become-seller',
      {
        preHandler: requireRole('customer'),
        schema: {
          operationId: 'becomeSeller',
          tags,
          summary: 'Become a seller: the account can then open a shop (POST /shops)',
          response: { 200: AccountResult, 409: ErrorResponse },
        },
      },
      async (request) => ({ account: await service.becomeSeller(auditActorOf(request)) }),
    );

    api.get(
      '/admin/accounts',
      {
        preHandler: requireRole('admin'),
        schema: {
          operationId: 'searchAccounts',
          tags,
          summary: 'Accounts by the start of the email or part of the name, and role, by email, a page at a time',
          querystring: AccountSearchQuery,
          response: { 200: AccountSearchResult },
        },
      },
      async (request) => {
        const { q, role, cursor, limit } = request.query;
        return service.searchAccounts({ limit, ...(q ? { q } : {}), ...(role ? { role } : {}), ...(cursor ? { cursor } : {}) });
      },
    );

    api.get(
      '/admin/accounts/:id',
      {
        preHandler: requireRole('admin'),
        schema: {
          operationId: 'getAccount',
          tags,
          summary: 'Any account, for admins',
          params: IdParams,
          response: { 200: AccountDetailResult, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) => {
        const account = await service.accountDetail(request.params.id);
        if (!account) throw identityErrors.accountNotFound();
        return { account };
      },
    );
  };
}
