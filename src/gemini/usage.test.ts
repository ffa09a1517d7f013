import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageTail } from './usage.ts';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'gemini', name));

test('usage is read from the last usageMetadata of recorded answers, fed whole or byte by byte', () => {
  for (const name of [
    'stream-alt-sse.txt',
    'stream-alt-sse-thinking.txt',
    'stream-json-array.txt',
    'generate-content-response.json',
  ]) {
    const bytes = fixture(name);
    const whole = new UsageTail();
    whole.add(bytes);
    const usage = whole.usage();
    assert.ok(usage !== undefined, name);
    assert.ok((usage.total ?? 0) > 0, `${name} total`);
    // The figure is the last one in the answer, not the first.
    const last = (field: string) =>
      Number([...bytes.toString('utf8').matchAll(new RegExp(`"${field}":\\s*(\\d+)`, 'g'))].at(-1)?.[1]);
    assert.equal(usage.total, last('totalTokenCount'), name);
    assert.equal(usage.prompt, last('promptTokenCount'), name);
    const byteByByte = new UsageTail();
    for (let index = 0; index < bytes.length; index++) byteByByte.add(bytes.subarray(index, index + 1));
    assert.deepEqual(byteByByte.usage(), usage, `${name} byte by byte`);
  }
});

test('thoughts and cached tokens are read when present; no usage, no figures', () => {
  const tail = new UsageTail();
  tail.add(
    Buffer.from(
      '{"usageMetadata": {"promptTokenCount": 10, "thoughtsTokenCount": 7, "cachedContentTokenCount": 4, "totalTokenCount": 30, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}]}}',
    ),
  );
  assert.deepEqual(tail.usage(), { prompt: 10, candidates: undefined, thoughts: 7, cached: 4, total: 30 });
  const nulls = new UsageTail();
  nulls.add(
    Buffer.from(
      'data: {"usageMetadata":{"promptTokenCount":3,"cachedContentTokenCount":null,"totalTokenCount":3}}\n\n',
    ),
  );
  assert.deepEqual(nulls.usage(), {
    prompt: 3,
    candidates: undefined,
    thoughts: undefined,
    cached: undefined,
    total: 3,
  });
  const none = new UsageTail();
  none.add(Buffer.from('{"error":{"code":400}}'));
  assert.equal(none.usage(), undefined);
});
