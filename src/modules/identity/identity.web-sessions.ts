import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type {} from '@fastify/cookie';
import { isDomainError } from '../../shared/errors.ts';
import { cookieName, DEVICE_COOKIE, SESSION_COOKIE, type SessionResolver } from './identity.guards.ts';
import type { IdentityInternals } from './identity.service.ts';
import type { Account, IdentitySettings, LiveSession, SessionInfo } from './identity.types.ts';

const DEVICE_MAX_AGE = 365 * 86_400;

/**
 * The session and device cookies as both the JSON routes and the storefront's pages set them: one
 * name (`__Host-` prefixed when Secure), one set of options, lifetimes by role. Kept in one place
 * so a page's sign-in is exactly the API's.
 */
export function createSessionCookies(settings: IdentitySettings) {
  const options = { httpOnly: true, sameSite: 'lax' as const, secure: settings.cookieSecure, path: '/' };
  const session = cookieName(SESSION_COOKIE, settings.cookieSecure);
  const device = cookieName(DEVICE_COOKIE, settings.cookieSecure);
  return {
    options,
    // The cookie lives as long as the session can: a seller's or admin's for their shorter limit.
    setSession: (reply: FastifyReply, token: string, role: string) =>
      reply.setCookie(session, token, {
        ...options,
        maxAge:
          role === 'customer'
            ? settings.absoluteDays * 86_400
            : Math.min(settings.staffAbsoluteHours * 3600, settings.absoluteDays * 86_400),
      }),
    clearSession: (reply: FastifyReply) => reply.clearCookie(session, options),
    setDevice: (reply: FastifyReply, value: string) => reply.setCookie(device, value, { ...options, maxAge: DEVICE_MAX_AGE }),
    /** The device cookie the browser presents, when it has the shape we issue. */
    presentedDevice: (request: FastifyRequest) => {
      const value = request.cookies?.[device];
      return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
    },
  };
}

export type SessionCookies = ReturnType<typeof createSessionCookies>;

/**
 * Sign-in, sign-out and the account's sessions for server-rendered pages, with the same service
 * calls, cookies and device exemption as the JSON routes (identity.routes.ts uses the same parts).
 * A page route that guesses a password must also be in app/http.ts `strictRoutes` under the name
 * `login`, so it shares the API log-in's counters.
 */
export type IdentityPages = Readonly<{
  /**
   * preHandler for a sign-in form: marks a browser that signed in to the form's `email` before
   * (request.knownDevice), before the rate limits run, so it is exempt from the account's hourly cap.
   */
  recognizeDevice: preHandlerAsyncHookHandler;
  /** Signs in and sets the session cookie (and a device cookie for a new browser); IDENTITY_INVALID_CREDENTIALS when wrong. */
  signIn(request: FastifyRequest, reply: FastifyReply, email: string, password: string): Promise<Account>;
  /** Ends the presented session, if any, and clears the cookie; idempotent. */
  signOut(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /**
   * The live session the request presents, or null. A session that cannot be read (its shard is
   * down) is an error, not "signed out": a signed-in person is shown the busy page, not sign-in.
   */
  current(request: FastifyRequest): Promise<LiveSession | null>;
  /** The account's live sessions, the presented one marked `current`. */
  sessions(session: LiveSession): Promise<Array<SessionInfo & { current: boolean }>>;
  /** Ends one of the account's sessions (the cookie too when it is the presented one); not found otherwise. */
  revokeSession(reply: FastifyReply, session: LiveSession, sessionId: string): Promise<void>;
  /** Ends every other session of the account; how many ended. */
  revokeOtherSessions(session: LiveSession): Promise<number>;
  /** Emails a reset link when the email has an account, after the answer (timing tells nothing). */
  requestPasswordReset(request: FastifyRequest, email: string): void;
  /** Spends a reset token (every session ends, this browser's cookie is cleared). */
  resetPassword(reply: FastifyReply, token: string, newPassword: string): Promise<void>;
  /** Spends a verification token. */
  verifyEmail(token: string): Promise<void>;
}>;

export function createIdentityPages(service: IdentityInternals, sessions: SessionResolver, cookies: SessionCookies): IdentityPages {
  const revoke = (accountId: string, sessionId: string) =>
    service.revokeSession(accountId, sessionId).catch((err: unknown) => {
      // Already revoked by a concurrent request is fine; a database failure is not.
      if (!(isDomainError(err) && err.kind === 'not_found')) throw err;
    });
  return {
    recognizeDevice: async (request) => {
      const device = cookies.presentedDevice(request);
      const email = (request.body as { email?: unknown } | undefined)?.email;
      if (device && typeof email === 'string') request.knownDevice = await service.isKnownDevice(email, device);
    },
    async signIn(request, reply, email, password) {
      const { account, token, newDevice } = await service.logIn(email, password, cookies.presentedDevice(request));
      cookies.setSession(reply, token, account.role);
      if (newDevice) cookies.setDevice(reply, newDevice);
      return account;
    },
    async signOut(request, reply) {
      const found = await sessions.current(request);
      if (found) await revoke(found.account.id, found.sessionId);
      cookies.clearSession(reply);
    },
    current: (request) => sessions.current(request),
    async sessions(session) {
      const list = await service.listSessions(session.account.id);
      return list.map((s) => ({ ...s, current: s.id === session.sessionId }));
    },
    async revokeSession(reply, session, sessionId) {
      await service.revokeSession(session.account.id, sessionId);
      if (sessionId === session.sessionId) cookies.clearSession(reply);
    },
    revokeOtherSessions: (session) => service.revokeOtherSessions(session.account.id, session.sessionId),
    requestPasswordReset(request, email) {
      void service.requestPasswordReset(email).catch((err: unknown) => request.log.error({ err }, 'password reset request failed'));
    },
    async resetPassword(reply, token, newPassword) {
      await service.resetPassword(token, newPassword);
      cookies.clearSession(reply);
    },
    verifyEmail: (token) => service.verifyEmail(token),
  };
}
