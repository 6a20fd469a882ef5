import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';

/**
 * Where image bytes live. Keys are content hashes, so a key always names the same bytes: files are
 * written once and never changed, which is what lets the public URLs be cached forever.
 *
 * Two kinds of key, told apart by their shape:
 * - public variants, `<sha256 hex>.webp`, served at `/media/<key>`;
 * - private originals, `originals/<sha256 hex>.<ext>`, kept for re-processing and never served
 *   (they still carry the uploader's metadata, such as GPS position).
 *
 * Deliberately left out: listing, ranges, and content types (a key's extension says it). An object
 * store adapter (S3 and the like) would implement the same five calls.
 */
export type MediaStorage = Readonly<{
  /** Stores the bytes under the key; atomic (readers never see half a file); a no-op if the key exists. */
  put(key: string, body: Buffer | Readable): Promise<void>;
  /** The whole object, or null when there is none. */
  get(key: string): Promise<Buffer | null>;
  /** A stream of the object and its size, or null when there is none. */
  stream(key: string): Promise<{ body: Readable; size: number } | null>;
  exists(key: string): Promise<boolean>;
  /** Removes the object; a no-op when there is none. */
  delete(key: string): Promise<void>;
  /** The public URL path of a variant key; throws for keys that are never served (originals). */
  url(key: string): string;
}>;

const HASH = '[0-9a-f]{64}';
const VARIANT_KEY = new RegExp(`^${HASH}\\.webp$`);
const ORIGINAL_KEY = new RegExp(`^originals/${HASH}\\.(jpg|png|webp|avif|gif)$`);

/** URL prefix of the public variants, at the server root. */
export const MEDIA_URL_PREFIX = '/media/';

export function isVariantKey(key: string): boolean {
  return VARIANT_KEY.test(key);
}

/** Strict: the only shapes a key may have, so no key can climb out of the storage root. */
export function assertValidKey(key: string): void {
  if (!VARIANT_KEY.test(key) && !ORIGINAL_KEY.test(key)) throw new RangeError(`not a media key: ${JSON.stringify(key)}`);
}

export function variantKey(sha256Hex: string): string {
  return `${sha256Hex}.webp`;
}

export function originalKey(sha256Hex: string, ext: 'jpg' | 'png' | 'webp' | 'avif' | 'gif'): string {
  return `originals/${sha256Hex}.${ext}`;
}

/**
 * Files on the local disk under `root`, fanned out by the first two hex digits so no directory
 * holds millions of entries: `ab/abcd....webp`, `originals/ab/abcd....png`.
 */
export function createLocalDiskStorage(root: string): MediaStorage {
  const resolved = path.resolve(root);
  const tmpDir = path.join(resolved, '.tmp');

  function fileOf(key: string): string {
    assertValidKey(key);
    const slash = key.lastIndexOf('/');
    const dir = key.slice(0, slash + 1);
    const name = key.slice(slash + 1);
    return path.join(resolved, dir, name.slice(0, 2), name);
  }

  async function exists(file: string): Promise<boolean> {
    try {
      return (await stat(file)).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  return {
    async put(key, body) {
      const target = fileOf(key);
      if (await exists(target)) {
        // Same key, same bytes: nothing to do; release the stream's file handle or socket.
        if (body instanceof Readable) body.destroy();
        return;
      }
      await mkdir(path.dirname(target), { recursive: true });
      await mkdir(tmpDir, { recursive: true });
      // Written beside the target's volume, then renamed: a reader sees the whole file or none of it,
      // and a crash leaves only a stray temp file, never a truncated image under a real key.
      const tmp = path.join(tmpDir, `${Date.now()}-${randomBytes(6).toString('hex')}`);
      try {
        if (Buffer.isBuffer(body)) await writeFile(tmp, body, { flag: 'wx' });
        else await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
        await rename(tmp, target);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    },
    async get(key) {
      try {
        return await readFile(fileOf(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async stream(key) {
      const file = fileOf(key);
      try {
        const info = await stat(file);
        if (!info.isFile()) return null;
        return { body: createReadStream(file), size: info.size };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async exists(key) {
      return exists(fileOf(key));
    },
    async delete(key) {
      await rm(fileOf(key), { force: true });
    },
    url(key) {
      if (!isVariantKey(key)) throw new RangeError(`only variants have a public URL: ${JSON.stringify(key)}`);
      return `${MEDIA_URL_PREFIX}${key}`;
    },
  };
}
