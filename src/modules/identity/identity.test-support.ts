import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import type { TestApp } from '../../../test/support/test-app.ts';

/** Helpers shared by the identity tests (not itself a test file). */

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${Date.now().toString(36)}.${counter}@example.test`;
}

export const PASSWORD = 'correct horse battery';

export type AuthBody = { account: { id: string; email: string; name: string; role: string }; token: string };

export async function signUp(
  server: FastifyInstance,
  body: Record<string, unknown> = {},
): Promise<{ res: LightMyRequestResponse; body: AuthBody; cookie: string | undefined }> {
  const res = await server.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email: uniqueEmail(), password: PASSWORD, name: 'Ada Maker', ...body },
  });
  return { res, body: res.json<AuthBody>(), cookie: sessionCookie(res) };
}

export async function logIn(server: FastifyInstance, email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
  return server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
}

/** The raw value of the atelier_session cookie a response sets, if any. */
export function sessionCookie(res: LightMyRequestResponse): string | undefined {
  return res.cookies.find((c) => c.name === 'atelier_session')?.value;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const cookie = (token: string) => ({ cookie: `atelier_session=${token}` });

/** Row counts of every identity table, over every database, to prove a refused request wrote nothing. */
export async function countRows(t: TestApp): Promise<{ index: number; accounts: number; sessions: number }> {
  const one = async (db: TestApp['app']['stores']['catalog']['db'], table: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db)).rows[0]!.n;
  let accounts = 0;
  let sessions = 0;
  for (const shard of t.app.stores.shards.databases) {
    accounts += await one(shard.db, 'identity_accounts');
    sessions += await one(shard.db, 'identity_sessions');
  }
  return { index: await one(t.app.stores.catalog.db, 'identity_email_index'), accounts, sessions };
}

export function assertError(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json<{ error: { code: string; field?: string } }>();
  assert.equal(body.error.code, code);
  if (field !== undefined) assert.equal(body.error.field, field);
}
