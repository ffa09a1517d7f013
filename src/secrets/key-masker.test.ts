import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { fingerprintKey } from './fingerprint.ts';
import { ChunkMasker, KeyMasker } from './key-masker.ts';

const key = 'gbTESTkey-maskKEY00000000000000000000001';
const escaped = [...key]
  .map((character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`)
  .join('');

async function throughStream(chunks: string[]): Promise<string> {
  return text(
    Readable.from(chunks.map((chunk) => Buffer.from(chunk, 'utf8'))).pipe(new KeyMasker(key).stream()),
  );
}

describe('KeyMasker', () => {
  it('masks the literal key and its \\u-escaped spelling, keeping the length', () => {
    const masker = new KeyMasker(key);
    const input = `{"a":"${key}","b":"${escaped}","c":"ok ✓"}`;
    const output = masker.mask(input);
    assert.ok(!output.includes(key));
    assert.ok(!output.includes(escaped));
    assert.ok(output.includes(fingerprintKey(key)));
    assert.equal(output.length, input.length);
  });

  it('masks a key split across chunks at every position, and holds back nothing else', async () => {
    const body = `data: {"error":{"message":"Consumer 'api_key:${key}' has been suspended."}}\n\n`;
    for (let split = 1; split < body.length; split++) {
      const output = await throughStream([body.slice(0, split), body.slice(split)]);
      assert.ok(!output.includes(key), `split at ${split}`);
      assert.equal(output.length, body.length);
    }
    const masker = new KeyMasker(key);
    assert.equal(masker.holdFrom('data: {"text":"hello"}\n\n'), 24);
    assert.equal(masker.holdFrom(`x ${key.slice(0, 10)}`), 2);
    assert.equal(masker.holdFrom('x \\u006'), 2);
  });

  it('passes UTF-8 through unchanged', async () => {
    const body = 'héllo ✓ 日本語 '.repeat(100);
    assert.equal(await throughStream([body.slice(0, 7), body.slice(7)]), body);
  });

  it('masks chunk by chunk without a stream: clean chunks pass as the same buffer, a split key is masked', () => {
    const masker = new KeyMasker(key);
    const clean = Buffer.from('data: {"text":"hello"}\n\n');
    assert.equal(new ChunkMasker(masker).push(clean), clean);
    const body = `data: {"error":{"message":"Consumer 'api_key:${key}' or ${escaped} was suspended."}}\n\n`;
    for (let split = 1; split < body.length; split += 3) {
      const chunks = new ChunkMasker(masker);
      const parts = [body.slice(0, split), body.slice(split)].map((part) => chunks.push(Buffer.from(part)));
      const output = Buffer.concat([...parts, chunks.end()].filter((part) => part !== undefined)).toString();
      assert.ok(!output.includes(key) && !output.includes(escaped), `split at ${split}`);
      assert.equal(output.length, body.length);
      assert.ok(output.startsWith('data: {"error"') && output.endsWith('suspended."}}\n\n'));
    }
  });

  it('masks a whole body, returning the very same buffer when the key cannot be in it', () => {
    const masker = new KeyMasker(key);
    const clean = Buffer.from('{"candidates":[{"content":{"parts":[{"text":"A ✓"}]}}]}');
    assert.equal(masker.maskBytes(clean), clean);
    const dirty = Buffer.from(`{"message":"${key} \\u0041"}`);
    const masked = masker.maskBytes(dirty).toString();
    assert.ok(!masked.includes(key) && masked.includes(fingerprintKey(key)));
    assert.equal(masked.length, dirty.toString().length);
  });
});
