import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { detectImageType, MAX_SIDE, probeImage, renderVariants, ImageDecodeError } from './media.images.ts';
import { makeCorruptPng, makeImage, makePngBombHeader, makeTruncatedJpeg } from './media.testing.ts';

describe('detectImageType (by content)', () => {
  test('recognises every accepted format', async () => {
    for (const [format, mime] of [
      ['png', 'image/png'],
      ['jpeg', 'image/jpeg'],
      ['webp', 'image/webp'],
      ['gif', 'image/gif'],
      ['avif', 'image/avif'],
    ] as const) {
      const found = await detectImageType(await makeImage(40, 30, format));
      assert.equal(found?.mime, mime, format);
    }
  });

  test('refuses text, PDF and SVG whatever they are called', async () => {
    assert.equal(await detectImageType(Buffer.from('just some text pretending to be a png')), null);
    assert.equal(await detectImageType(Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n')), null);
    assert.equal(await detectImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')), null);
    assert.equal(await detectImageType(Buffer.alloc(0)), null);
  });
});

describe('probeImage', () => {
  test('reads dimensions of a good image', async () => {
    const png = await makeImage(320, 200);
    const res = await probeImage(png, { ext: 'png', mime: 'image/png' });
    assert.deepEqual(res, { ok: true, width: 320, height: 200 });
  });

  test('an image whose body is garbage is unreadable', async () => {
    const bad = await makeCorruptPng();
    assert.equal((await detectImageType(bad))?.ext, 'png');
    const res = await probeImage(bad, { ext: 'png', mime: 'image/png' });
    assert.equal(res.ok, false);
    assert.equal(!res.ok && res.reason, 'unreadable');
  });

  test('refuses absurd dimensions without decoding them (a tiny file, a huge picture)', async () => {
    const wide = await sharp({ create: { width: MAX_SIDE + 1, height: 10, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    assert.ok(wide.length < 100_000);
    const res = await probeImage(wide, { ext: 'png', mime: 'image/png' });
    assert.equal(!res.ok && res.reason, 'too_many_pixels');
    const bomb = makePngBombHeader(10_000, 10_000);
    assert.equal((await detectImageType(bomb))?.ext, 'png');
    const res2 = await probeImage(bomb, { ext: 'png', mime: 'image/png' });
    assert.equal(!res2.ok && res2.reason, 'too_many_pixels');
  });

  test('a format that disagrees with the detected type is unreadable', async () => {
    const png = await makeImage(40, 30, 'png');
    const res = await probeImage(png, { ext: 'jpg', mime: 'image/jpeg' });
    assert.equal(!res.ok && res.reason, 'unreadable');
  });
});

describe('renderVariants', () => {
  test('makes three WebP variants, fitted and never enlarged, deterministically', async () => {
    const png = await makeImage(1200, 800);
    const variants = await renderVariants(png);
    assert.deepEqual(
      variants.map((v) => [v.name, v.width, v.height]),
      [
        ['thumb', 200, 133],
        ['card', 600, 400],
        ['full', 1200, 800],
      ],
    );
    for (const v of variants) {
      const meta = await sharp(v.bytes).metadata();
      assert.equal(meta.format, 'webp');
      assert.equal(meta.width, v.width);
      assert.equal(meta.exif, undefined);
    }
    const again = await renderVariants(png);
    assert.deepEqual(
      again.map((v) => v.sha256),
      variants.map((v) => v.sha256),
    );
  });

  test('applies EXIF orientation and strips the metadata', async () => {
    const rotated = await sharp(await makeImage(300, 100, 'jpeg'))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    assert.equal((await sharp(rotated).metadata()).orientation, 6);
    const [thumb] = await renderVariants(rotated);
    assert.equal(thumb!.width, 67);
    assert.equal(thumb!.height, 200);
    const meta = await sharp(thumb!.bytes).metadata();
    assert.equal(meta.orientation, undefined);
    assert.equal(meta.exif, undefined);
  });

  test('a corrupt image fails with ImageDecodeError', async () => {
    await assert.rejects(renderVariants(await makeTruncatedJpeg()), ImageDecodeError);
    await assert.rejects(renderVariants(await makeCorruptPng()), ImageDecodeError);
  });
});
