import { createHash } from 'node:crypto';
import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';
import sharp, { type Metadata } from 'sharp';

/**
 * Image decoding and re-encoding, with no storage and no database: what can be tested alone.
 *
 * sharp works on libuv's thread pool, so the event loop stays free while an image is decoded; one
 * libvips thread per image and one image at a time per process (`runExclusive`) keep resizing from
 * taking every core away from the API in the all-in-one process.
 */
sharp.concurrency(1);
// libvips' operation cache helps repeated work on the same image, which uploads never are; it only
// holds memory.
sharp.cache(false);

/** Formats accepted on upload, by their content. */
export type ImageExt = 'jpg' | 'png' | 'webp' | 'avif' | 'gif';
const ACCEPTED: Readonly<Record<string, ImageExt>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/gif': 'gif',
};
/** What sharp reports for each accepted type, to catch a file whose magic bytes and body disagree. */
const SHARP_FORMAT: Readonly<Record<ImageExt, ReadonlyArray<string>>> = {
  jpg: ['jpeg'],
  png: ['png'],
  webp: ['webp'],
  avif: ['heif', 'avif'],
  gif: ['gif'],
};

/** A side longer than this is not a product photo; a picture this size would take seconds to decode. */
export const MAX_SIDE = 12_000;
/** Decompression-bomb guard: sharp refuses to decode more pixels than this. */
export const MAX_PIXELS = 60_000_000;

export type DetectedType = Readonly<{ ext: ImageExt; mime: string }>;

/** The image type by content (magic bytes), never by name or declared type; null when not accepted. */
export async function detectImageType(input: string | Buffer): Promise<DetectedType | null> {
  const found = typeof input === 'string' ? await fileTypeFromFile(input) : await fileTypeFromBuffer(input);
  if (!found) return null;
  const ext = ACCEPTED[found.mime];
  return ext ? { ext, mime: found.mime } : null;
}

export type ProbeResult =
  | Readonly<{ ok: true; width: number; height: number }>
  | Readonly<{ ok: false; reason: 'unreadable' | 'too_many_pixels'; message: string }>;

/**
 * Reads the header only (cheap, fine on the request path): dimensions and a format that agrees
 * with the detected type. Full decoding happens in the resize job.
 */
export async function probeImage(input: string | Buffer, type: DetectedType): Promise<ProbeResult> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: MAX_PIXELS }).metadata();
  } catch (err) {
    const message = (err as Error).message;
    if (/pixel limit/i.test(message)) return { ok: false, reason: 'too_many_pixels', message: 'The image has too many pixels' };
    return { ok: false, reason: 'unreadable', message: 'The image could not be read' };
  }
  const { width, height, format } = meta;
  if (!width || !height || !format || !SHARP_FORMAT[type.ext].includes(format)) {
    return { ok: false, reason: 'unreadable', message: 'The image could not be read' };
  }
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    return { ok: false, reason: 'too_many_pixels', message: `Images may be at most ${MAX_SIDE} pixels a side` };
  }
  return { ok: true, width, height };
}

export const VARIANTS = [
  { name: 'thumb', size: 200 },
  { name: 'card', size: 600 },
  { name: 'full', size: 1600 },
] as const;
export type VariantName = (typeof VARIANTS)[number]['name'];

export type RenderedVariant = Readonly<{
  name: VariantName;
  bytes: Buffer;
  sha256: string;
  width: number;
  height: number;
}>;

/** Raised when the bytes do not decode as an image: retrying cannot help. */
export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
}

/**
 * Re-encodes an image into the WebP variants: orientation applied, metadata stripped (sharp keeps
 * none unless asked), each fitted inside a square of its size and never enlarged. Deterministic:
 * the same input gives the same bytes, so re-running after a crash produces the same keys.
 */
export async function renderVariants(input: Buffer): Promise<RenderedVariant[]> {
  return runExclusive(async () => {
    try {
      // Each clone reads the same input; JPEG and WebP shrink on load, so the small variants are cheap.
      const base = sharp(input, { limitInputPixels: MAX_PIXELS, failOn: 'error' }).autoOrient();
      const out: RenderedVariant[] = [];
      for (const v of VARIANTS) {
        const { data, info } = await base
          .clone()
          .resize({ width: v.size, height: v.size, fit: 'inside', withoutEnlargement: true })
          .webp({ quality: v.name === 'thumb' ? 75 : 80, effort: 4 })
          .toBuffer({ resolveWithObject: true });
        out.push({ name: v.name, bytes: data, sha256: sha256Hex(data), width: info.width, height: info.height });
      }
      return out;
    } catch (err) {
      throw new ImageDecodeError((err as Error).message);
    }
  });
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// One image at a time per process: a burst of uploads queues here instead of taking every core.
let tail: Promise<unknown> = Promise.resolve();
function runExclusive<T>(work: () => Promise<T>): Promise<T> {
  const next = tail.then(work, work);
  tail = next.catch(() => undefined);
  return next;
}
