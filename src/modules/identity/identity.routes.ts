import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type {} from '@fastify/cookie';
import { isDomainError } from '../../shared/errors.ts';
import { identityErrors } from './identity.errors.ts';
import { SESSION_COOKIE, type SessionResolver } from './identity.guards.ts';
import { AccountResult, AuthResult, ErrorResponse, IdParams, LogInBody, NoContent, SessionList, SignUpBody } from './identity.schemas.ts';
import type { IdentityInternals } from './identity.service.ts';
import type { IdentitySettings } from './identity.types.ts';

/** Credentials are small; a tight limit keeps a flood of large bodies from costing parse time. */
const AUTH_BODY_LIMIT = 4096;
const tags = ['identity'];

export function identityRoutes(deps: {
  service: IdentityInternals;
  sessions: SessionResolver;
  settings: IdentitySettings;
}): FastifyPluginAsyncTypebox {
  const { service, sessions, settings } = deps;
  const { requireAccount, requireRole } = sessions.guards;

  const cookieOptions = {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: settings.cookieSecure,
    path: '/',
  };
  const setSessionCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: settings.absoluteDays * 86_400 });

  return async (api) => {
    api.post(
      '/auth/signup',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        schema: {
          tags,
          summary: 'Create a customer or seller account and sign in',
          body: SignUpBody,
          response: { 201: AuthResult, 400: ErrorResponse, 409: ErrorResponse },
        },
      },
      async (request, reply) => {
        const { email, password, name, role } = request.body;
        const account = await service.signUp({ email, password, name, role: role ?? 'customer' });
        const token = await service.startSession(account);
        setSessionCookie(reply, token);
        return reply.code(201).send({ account, token });
      },
    );

    api.post(
      '/auth/login',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        schema: {
          tags,
          summary: 'Sign in; every sign-in issues a new session token',
          body: LogInBody,
          response: { 200: AuthResult, 400: ErrorResponse, 401: ErrorResponse },
        },
      },
      async (request, reply) => {
        const { account, token } = await service.logIn(request.body.email, request.body.password);
        setSessionCookie(reply, token);
        return { account, token };
      },
    );

    api.post(
      '/auth/logout',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        schema: { tags, summary: 'Revoke the presented session and clear the cookie', response: { 204: NoContent } },
      },
      // Idempotent: signing out without a live session still clears the cookie and succeeds.
      async (request, reply) => {
        const found = await sessions.current(request);
        // Already revoked by a concurrent request is fine; a database failure is not, because the
        // client would believe a still-live token dead.
        if (found) {
          await service.revokeSession(found.account.id, found.sessionId).catch((err: unknown) => {
            if (!(isDomainError(err) && err.kind === 'not_found')) throw err;
          });
        }
        reply.clearCookie(SESSION_COOKIE, cookieOptions);
        return reply.code(204).send(null);
      },
    );

    api.get(
      '/auth/me',
      {
        preHandler: requireAccount,
        schema: { tags, summary: 'The signed-in account', response: { 200: AccountResult, 401: ErrorResponse } },
      },
      async (request) => ({ account: request.account! }),
    );

    api.get(
      '/auth/sessions',
      {
        preHandler: requireAccount,
        schema: { tags, summary: "The caller's live sessions", response: { 200: SessionList, 401: ErrorResponse } },
      },
      async (request) => {
        const found = (await sessions.current(request))!;
        const list = await service.listSessions(found.account.id);
        return { sessions: list.map((s) => ({ ...s, current: s.id === found.sessionId })) };
      },
    );

    api.delete(
      '/auth/sessions/:id',
      {
        preHandler: requireAccount,
        schema: {
          tags,
          summary: 'Revoke one of your own sessions',
          params: IdParams,
          response: { 204: NoContent, 401: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request, reply) => {
        const found = (await sessions.current(request))!;
        await service.revokeSession(found.account.id, request.params.id);
        if (request.params.id === found.sessionId) reply.clearCookie(SESSION_COOKIE, cookieOptions);
        return reply.code(204).send(null);
      },
    );

    api.get(
      '/admin/accounts/:id',
      {
        preHandler: requireRole('admin'),
        schema: {
          tags,
          summary: 'Any account, for admins',
          params: IdParams,
          response: { 200: AccountResult, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) => {
        const account = await service.getAccount(request.params.id);
        if (!account) throw identityErrors.accountNotFound();
        return { account };
      },
    );
  };
}
