import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newCallRecord, usageOf, usageTap } from './call-record.ts';

test('usage is read from the tail only when asked for, then kept on the record', () => {
  const record = newCallRecord({ path: '/v1beta/models/m:generateContent', model: 'm' });
  const tap = usageTap(record);
  tap.add(Buffer.from('{"candidates":[],"usageMetadata":{"promptTokenCount":3,'));
  tap.add(Buffer.from('"candidatesTokenCount":5,"totalTokenCount":8}}'));
  tap.end();
  assert.equal(record.usage, undefined, 'nothing parsed at the end of the answer');
  const usage = usageOf(record);
  assert.deepEqual(usage, { prompt: 3, candidates: 5, thoughts: undefined, cached: undefined, total: 8 });
  assert.equal(record.usage, usage);
  assert.equal(usageOf(undefined), undefined);
});
