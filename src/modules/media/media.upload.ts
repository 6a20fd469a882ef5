import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Multipart } from '@fastify/multipart';
import { assertStorableText } from '../../platform/http/storable-text.ts';
import { mediaErrors } from './media.errors.ts';

/** An uploaded file held on local disk while it is checked; always `discard()`ed afterwards. */
export type StagedFile = Readonly<{ path: string; sha256: string; size: number; discard(): Promise<void> }>;

export type UploadParts = Readonly<{ file: StagedFile | null; alt: string | null }>;

/**
 * Streams a file to a temporary path while hashing it, so an upload never sits whole in memory.
 * A file cut short by the size limit is deleted before the error leaves.
 */
export async function stageStream(stream: Readable & { truncated?: boolean }, dir: string, maxBytes: number): Promise<StagedFile> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const discard = () => rm(file, { force: true });
  try {
    await pipeline(stream, tap, createWriteStream(file, { flags: 'wx' }));
  } catch (err) {
    await discard();
    throw err;
  }
  // busboy ends a file at the limit and only flags it, so the check is ours to make.
  if (stream.truncated || size > maxBytes) {
    await discard();
    throw mediaErrors.fileTooLarge(maxBytes);
  }
  return { path: file, sha256: hash.digest('hex'), size, discard };
}

/**
 * Reads the parts of an image upload: one file field `image`, one optional text field `alt`.
 * Anything else is refused by name, like an unknown JSON field. On any failure the staged file is
 * already gone when this throws.
 */
export async function readImageUpload(
  parts: AsyncIterable<Multipart>,
  opts: { stagingDir: string; maxBytes: number },
): Promise<UploadParts> {
  let file: StagedFile | null = null;
  let alt: string | null = null;
  try {
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'image' || file) {
          part.file.resume();
          throw mediaErrors.unknownField(part.fieldname);
        }
        file = await stageStream(part.file, opts.stagingDir, opts.maxBytes);
      } else {
        if (part.fieldname !== 'alt' || alt !== null) throw mediaErrors.unknownField(part.fieldname);
        alt = typeof part.value === 'string' ? part.value : String(part.value);
        // Streamed here, past the edge's check of decoded input (platform/http/storable-text.ts).
        assertStorableText(alt, 'body.alt');
      }
    }
  } catch (err) {
    await file?.discard();
    throw err;
  }
  return { file, alt };
}
