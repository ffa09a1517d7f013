import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePoolEvent } from './pool-events.ts';

test('pool events read as one line each: warn for keys, error for path faults', () => {
  const fingerprint = 'key_0123456789ab';
  assert.deepEqual(
    describePoolEvent({
      type: 'key-disabled',
      keyFingerprint: fingerprint,
      reason: 'API_KEY_INVALID',
      by: 'upstream',
    }),
    { level: 'warn', message: 'key disabled (upstream): API_KEY_INVALID' },
  );
  assert.equal(
    describePoolEvent({ type: 'key-revived', keyFingerprint: fingerprint, by: 'recheck' }).level,
    'warn',
  );
  assert.match(
    describePoolEvent({
      type: 'key-cooling-for-day',
      keyFingerprint: fingerprint,
      model: 'gemini-2.5-pro',
      until: Date.parse('2026-12-02T08:00:00Z'),
    }).message,
    /daily quota for gemini-2\.5-pro until 2026-12-02T08:00:00\.000Z/,
  );
  const fault = describePoolEvent({
    type: 'path-fault',
    keyFingerprint: fingerprint,
    reason: 'UNREGISTERED_CALLER',
    finding: 'path-broken',
  });
  assert.equal(fault.level, 'error');
  assert.match(fault.message, /strips it; fix the path, no key was disabled/);
  const layout = describePoolEvent({ type: 'window-layout', verdict: 'phased' });
  assert.match(layout.message, /per-minute windows are phased/);
});
