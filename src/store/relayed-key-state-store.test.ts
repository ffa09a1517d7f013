import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { KeyStateChange } from './key-state-change.ts';
import { MemoryKeyStateStore } from './memory-key-state-store.ts';
import { RelayedKeyStateStore, relayTag } from './relayed-key-state-store.ts';

/** A worker's IPC channel: what it sends is recorded; `emit('message', …)` is the primary relaying. */
class FakePort extends EventEmitter {
  readonly sent: unknown[] = [];
  send = (message: unknown): boolean => {
    this.sent.push(message);
    return true;
  };
}

test('a worker sends its changes to the primary, applies the others', () => {
  const port = new FakePort();
  const local = new MemoryKeyStateStore();
  const store = new RelayedKeyStateStore(local, port);
  const heard: KeyStateChange[] = [];
  store.onChange((change) => {
    heard.push(change);
    // The pool applies it and writes it to its store: kept locally, not sent back.
    if (change.kind === 'cooldown') store.saveCooldown(change.fingerprint, change.model, change.until);
  });

  store.saveCooldown('key_a', 'pro', 5000);
  store.increment('key_a', 'successes');
  assert.deepEqual(port.sent, [
    { tag: relayTag, change: { kind: 'cooldown', fingerprint: 'key_a', model: 'pro', until: 5000 } },
  ]);

  port.emit('message', {
    tag: relayTag,
    change: { kind: 'cooldown', fingerprint: 'key_b', model: 'pro', until: 9000 },
  });
  port.emit('message', {
    tag: 'something else',
    change: { kind: 'cooldown', fingerprint: 'key_c', model: 'pro', until: 1 },
  });
  port.emit('message', { tag: relayTag, change: { kind: 'cooldown', fingerprint: 'key_d' } });
  assert.deepEqual(
    heard.map((change) => change.fingerprint),
    ['key_b'],
    'only well-formed relayed changes are applied',
  );
  assert.equal(port.sent.length, 1, 'an applied change is not sent back');
  assert.equal(local.load(0).get('key_b')?.cooldowns.get('pro'), 9000);
});
