import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify, type Options } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

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

/** ASVS 2.1.1: at least 12 characters; no composition rules (2.1.9), long passphrases welcome. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;

/**
 * zxcvbn's score 0-4 (0: in the top few thousand guesses, 3: about 10^8-10^10 guesses, "safely
 * unguessable" online). Below 3 is refused: that is what catches `password12`, `passwordpassword`,
 * keyboard walks and repeats, which a length rule alone lets through (ASVS 2.1.7).
 */
export const PASSWORD_MIN_SCORE = 3;
/**
 * zxcvbn's cost grows with the length; a password this long is strong anyway, so only its start is
 * estimated (a 200-character one costs a few ms, not a stall of the event loop).
 */
const STRENGTH_CHECKED_LENGTH = 64;

// Building the matchers costs about 200 ms (ranking the dictionaries): once per process, on first use.
let estimator: ZxcvbnFactory | null = null;
const strength = () =>
  (estimator ??= new ZxcvbnFactory({
    dictionary,
    graphs: adjacencyGraphs,
    useLevenshteinDistance: true,
    maxLength: STRENGTH_CHECKED_LENGTH,
  }));

/** What zxcvbn's warning keys mean, said as advice to the person choosing. */
const ADVICE: Readonly<Record<string, string>> = {
  topTen: 'it is one of the ten most used passwords',
  topHundred: 'it is one of the hundred most used passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is too close to a commonly used password',
  wordByItself: 'a single word is easy to guess',
  namesByThemselves: 'names on their own are easy to guess',
  commonNames: 'common names are easy to guess',
  userInputs: 'it contains your name or email address',
  straightRow: 'a row of keys on the keyboard is easy to guess',
  keyPattern: 'a short keyboard pattern is easy to guess',
  simpleRepeat: 'repeated characters like "aaa" are easy to guess',
  extendedRepeat: 'repeated patterns like "abcabc" are easy to guess',
  sequences: 'sequences like "abc" or "6543" are easy to guess',
  recentYears: 'recent years are easy to guess',
  dates: 'dates are easy to guess',
};

/**
 * Why a password is too easy to guess, or null when it is strong enough. `personal` holds what an
 * attacker would try first for this account (its email and name).
 */
export function passwordWeakness(password: string, personal: readonly string[] = []): string | null {
  const inputs = personal.flatMap((p) => [p, ...p.split(/[@.\s_+-]+/)]).filter((p) => p.length >= 3);
  const result = strength().check(password, inputs);
  if (result.score >= PASSWORD_MIN_SCORE) return null;
  const why = (result.feedback.warning && ADVICE[result.feedback.warning]) || 'it is too easy to guess';
  return `The password is too easy to guess: ${why}. Try a passphrase of a few unrelated words`;
}

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
