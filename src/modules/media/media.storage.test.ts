import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { assertValidKey, createLocalDiskStorage, originalKey, variantKey } from './media.storage.ts';

const hash = 'ab'.repeat(32);

describe('local disk media storage', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'atelier-media-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('put, get, stream, exists, delete round trip', async () => {
    const storage = createLocalDiskStorage(dir);
    const key = variantKey(hash);
    assert.equal(await storage.get(key), null);
    assert.equal(await storage.stream(key), null);
    await storage.put(key, Buffer.from('pixels'));
    assert.equal(await storage.exists(key), true);
    assert.equal((await storage.get(key))?.toString(), 'pixels');
    const s = await storage.stream(key);
    assert.equal(s?.size, 6);
    const chunks: Buffer[] = [];
    for await (const c of s.body) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'pixels');
    await storage.delete(key);
    assert.equal(await storage.exists(key), false);
    await storage.delete(key);
  });

  test('writes are atomic and leave no temp files; a second put of a key is a no-op', async () => {
    const storage = createLocalDiskStorage(dir);
    const key = originalKey('cd'.repeat(32), 'png');
    await storage.put(key, Readable.from([Buffer.from('one'), Buffer.from('two')]));
    await storage.put(key, Readable.from([Buffer.from('different')]));
    assert.equal((await storage.get(key))?.toString(), 'onetwo');
    assert.deepEqual(await readdir(path.join(dir, '.tmp')), []);
    assert.ok((await readdir(path.join(dir, 'originals', 'cd'))).includes(`${'cd'.repeat(32)}.png`));
  });

  test('a failed stream leaves nothing behind', async () => {
    const storage = createLocalDiskStorage(dir);
    const key = variantKey('ef'.repeat(32));
    const failing = new Readable({
      read() {
        this.push(Buffer.from('half'));
        this.destroy(new Error('connection lost'));
      },
    });
    await assert.rejects(storage.put(key, failing), /connection lost/);
    assert.equal(await storage.exists(key), false);
    assert.deepEqual(await readdir(path.join(dir, '.tmp')), []);
  });

  test('only well-formed keys reach the file system', () => {
    for (const bad of [
      '../etc/passwd',
      `${hash}.png`,
      `x${hash}.webp`,
      `originals/${hash}.exe`,
      `originals/../${hash}.webp`,
      '',
      `${hash.toUpperCase()}.webp`,
    ]) {
      assert.throws(() => assertValidKey(bad), RangeError, bad);
    }
    const storage = createLocalDiskStorage(dir);
    assert.equal(storage.url(variantKey(hash)), `/media/${hash}.webp`);
    assert.throws(() => storage.url(originalKey(hash, 'jpg')), RangeError);
  });
});
