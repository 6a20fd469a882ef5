import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify, type Options } from '@node-rs/argon2';

/**
 * argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane): about 20-50 ms a hash, computed on
 * libuv's thread pool so the event loop keeps serving.
 */
export const PASSWORD_POLICY: Readonly<Options> = Object.freeze({
  // `Algorithm` is an ambient const enum, which isolated modules cannot read; 2 is Argon2id.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PASSWORD_POLICY);
}

/** False for a wrong password and for a stored hash that does not parse. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** True when a stored hash was made with weaker parameters than today's policy. */
export function needsRehash(stored: string): boolean {
  try {
    const p = parseOptions(stored);
    return (
      p.algorithm !== PASSWORD_POLICY.algorithm ||
      p.memoryCost < PASSWORD_POLICY.memoryCost! ||
      p.timeCost < PASSWORD_POLICY.timeCost! ||
      p.parallelism !== PASSWORD_POLICY.parallelism
    );
  } catch {
    return false;
  }
}

/**
 * A hash of a random password with the live policy, verified against when the email is unknown so
 * that answering "no such account" costs as long as answering "wrong password".
 */
export function makeDummyHash(): Promise<string> {
  return hashPassword(randomBytes(24).toString('base64url'));
}
