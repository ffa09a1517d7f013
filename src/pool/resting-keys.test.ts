import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestingKeys } from './resting-keys.ts';

test('offers the longest-resting key of the model, skipping excluded ones and forgetting old rests', () => {
  let now = 0;
  const resting = new RestingKeys(() => now);
  resting.rest('a', 'flash');
  now = 10;
  resting.rest('b', 'flash');
  resting.rest('c', 'pro');
  assert.equal(resting.pick('flash', new Set()), 'a');
  assert.equal(resting.pick('flash', new Set(['a'])), 'b');
  assert.equal(resting.pick('flash', new Set(['a', 'b'])), undefined);
  assert.equal(resting.pick('other', new Set()), undefined);
  resting.rest('a', 'flash'); // rested again: now the most recent
  assert.equal(resting.pick('flash', new Set()), 'b');
  resting.clear('b', 'flash');
  assert.equal(resting.pick('flash', new Set()), 'a');
  now = 70_001;
  assert.equal(resting.pick('flash', new Set()), undefined, 'rests older than a minute are forgotten');
});
