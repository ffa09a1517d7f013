import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyPool } from '../pool/key-pool.ts';
import { MemoryKeyStateStore } from '../store/memory-key-state-store.ts';
import { KeyChooser } from './key-chooser.ts';

describe('KeyChooser.restingLease', () => {
  it('passes over a resting key the pool now refuses and offers the next one', () => {
    let offset = 0;
    const pool = new KeyPool({
      keys: ['AIzaSyTEST-aaaa', 'AIzaSyTEST-bbbb'],
      store: new MemoryKeyStateStore(),
      now: () => Date.now() + offset,
      random: () => 0,
    });
    const model = 'gemini-2.5-flash';
    pool.learnModels([model]);
    const [first, second] = pool.list().map((key) => key.id);
    assert.ok(first !== undefined && second !== undefined);
    const keys = new KeyChooser({ pool });
    // The first key rests after a 503, then a 429 holds it; the second rests after a 503 only.
    keys.learn(first, model, { kind: 'transient', scope: 'model' });
    offset += 2000;
    keys.learn(first, model, { kind: 'quota', retryAfterMs: 30_000, perDay: false });
    keys.learn(second, model, { kind: 'transient', scope: 'model' });
    assert.equal(keys.acquire(model, new Set(), undefined).kind, 'cooling');
    assert.equal(keys.restingLease(model, new Set())?.id, second);
    // Tried already: nothing left.
    assert.equal(keys.restingLease(model, new Set([second])), undefined);
  });
});
