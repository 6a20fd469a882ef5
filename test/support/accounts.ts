import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** Options for both requests: a client address (rate-limit tests) and headers (a guest's cart cookie). */
export type AsClient = Readonly<{ remoteAddress?: string; headers?: Record<string, string> }>;

/**
 * A signed-in account made over HTTP, for tests. Sign-up never signs in (it answers 202 "check
 * your email" whether or not the email has an account, so it reveals nothing), so this is a
 * sign-up followed by a log-in; the answer is the log-in's (200, `{ account, token }`, cookies).
 */
export async function signUpAndLogIn(
  server: FastifyInstance,
  payload: { email: string; password: string; name: string; role?: 'customer' | 'seller' },
  as: AsClient = {},
): Promise<LightMyRequestResponse> {
  const signup = await server.inject({ method: 'POST', url: '/api/v1/auth/signup', payload, ...as });
  assert.equal(signup.statusCode, 202, signup.body);
  return server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: payload.email, password: payload.password }, ...as });
}

/** A signed-in account as the API tests use it: its id, its token, and the header that carries it. */
export type Actor = Readonly<{ id: string; token: string; headers: { authorization: string } }>;

/** A new signed-in seller or customer, with a unique email, made over HTTP. */
export async function signUp(server: FastifyInstance, role: 'seller' | 'customer'): Promise<Actor> {
  const res = await signUpAndLogIn(server, {
    email: `${role}-${randomUUID()}@example.test`,
    password: 'correct horse battery',
    name: `A ${role}`,
    role,
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json<{ account: { id: string }; token: string }>();
  return { id: body.account.id, token: body.token, headers: { authorization: `Bearer ${body.token}` } };
}
