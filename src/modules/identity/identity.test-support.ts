import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import type { TestApp } from '../../../test/support/test-app.ts';
import { unfold } from '../../../test/support/mail.ts';

/** Helpers shared by the identity tests (not itself a test file). */

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${Date.now().toString(36)}.${counter}@example.test`;
}

export const PASSWORD = 'correct horse battery';

export type AuthBody = { account: { id: string; email: string; name: string; role: string; emailVerified: boolean }; token: string };

/**
 * A signed-in account over HTTP: a sign-up (which answers 202 and never signs in), then a log-in.
 * `res` is the sign-up's answer; `body` and `cookie` are the log-in's.
 */
export async function signUp(
  server: FastifyInstance,
  body: Record<string, unknown> = {},
): Promise<{ res: LightMyRequestResponse; body: AuthBody; cookie: string | undefined; login: LightMyRequestResponse }> {
  const payload = { email: uniqueEmail(), password: PASSWORD, name: 'Ada Maker', ...body };
  const res = await server.inject({ method: 'POST', url: '/api/v1/auth/signup', payload });
  assert.equal(res.statusCode, 202, res.body);
  const login = await logIn(server, String(payload.email), String(payload.password));
  assert.equal(login.statusCode, 200, login.body);
  return { res, body: login.json<AuthBody>(), cookie: sessionCookie(login), login };
}

export async function logIn(server: FastifyInstance, email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
  return server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
}

/** The raw value of the session cookie a response sets, if any (`__Host-` prefixed or not). */
export function sessionCookie(res: LightMyRequestResponse): string | undefined {
  return res.cookies.find((c) => c.name === 'atelier_session' || c.name === '__Host-atelier_session')?.value;
}

/**
 * The emails sent to `to` so far, oldest first, read from the outbox as the notifications tests
 * do: queued jobs are run first (the send job writes the outbox file).
 */
export async function mailTo(t: TestApp, to: string): Promise<Array<{ subject: string; text: string; link: string | null }>> {
  await t.drainJobs();
  const dir = t.app.config.mail.outboxDir;
  const files = await readdir(dir).catch(() => [] as string[]);
  const found: Array<{ subject: string; text: string; link: string | null; at: number }> = [];
  for (const f of files.filter((name) => name.endsWith('.eml'))) {
    const raw = unfold(await readFile(path.join(dir, f), 'utf8'));
    if (!new RegExp(`^To: ${to.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').test(raw)) continue;
    const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? '';
    const link = /(https?:\/\/\S+#token=[0-9a-z]{1,3}\.[A-Za-z0-9_-]{43})/.exec(raw)?.[1] ?? null;
    found.push({ subject, text: raw, link, at: (await stat(path.join(dir, f))).mtimeMs });
  }
  return found.sort((a, b) => a.at - b.at).map(({ at: _at, ...m }) => m);
}

/** The token in an emailed link (`...#token=<token>`). */
export const tokenOf = (link: string | null): string => {
  assert.ok(link, 'the email carries a link with a token');
  return link.slice(link.indexOf('#token=') + '#token='.length);
};

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
