import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** The file in the data folder (ATELIER_DATA_DIR) that keeps the demo accounts' password. */
export const DEMO_PASSWORD_FILE = 'demo-password.txt';

/** 18 random bytes: 24 characters of base64url, 144 bits; far past a 12-character policy and any list of common passwords. */
const PASSWORD_BYTES = 18;

export type DemoPassword = Readonly<{ password: string; file: string; created: boolean }>;

/**
 * The password of the demo accounts (the admin and every seeded seller) of this installation:
 * made from crypto randomness the first time demo accounts are seeded, kept in
 * `<dataDir>/demo-password.txt` readable by its owner only (0600), and read back on every later
 * seed so that every generation of demo accounts shares it. Never a constant: a password printed
 * in a README is a password every installation shares (issue 13).
 *
 * Two processes seeding at once cannot write two passwords: the file is created exclusively, and
 * the loser reads the winner's. A kept file whose mode lets others read it is narrowed to 0600.
 */
export async function demoPassword(dataDir: string): Promise<DemoPassword> {
  const file = path.join(dataDir, DEMO_PASSWORD_FILE);
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const password = randomBytes(PASSWORD_BYTES).toString('base64url');
  try {
    // 'wx': fails if it exists. The mode is applied at creation, before any byte is written.
    await fs.writeFile(file, `${password}\n`, { flag: 'wx', mode: 0o600 });
    return { password, file, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const kept = (await fs.readFile(file, 'utf8')).trim();
  if (kept.length < 12) throw new Error(`${file} holds no usable demo password (12 characters or more); delete it to make a new one`);
  if (((await fs.stat(file)).mode & 0o077) !== 0) await fs.chmod(file, 0o600);
  return { password: kept, file, created: false };
}
