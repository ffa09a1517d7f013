import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureJson } from './measure-json.ts';

describe('measureJson', () => {
  it('estimates the serialised size and the nesting depth', () => {
    const value = { name: 'weather', tags: ['a', 'b'], nested: { deep: [1, { x: null }] } };
    const measure = measureJson(value);
    assert.equal(measure.depth, 4);
    const actual = JSON.stringify(value).length;
    assert.ok(measure.size >= actual / 2 && measure.size <= actual * 2, `${measure.size} vs ${actual}`);
    assert.deepEqual(measureJson('x'), { size: 3, depth: 0 });
  });

  it('walks a value nested far deeper than the call stack allows, and stops at the limit', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 200_000; level += 1) deep = [deep];
    assert.equal(measureJson(deep).depth, 200_000);
    assert.equal(measureJson(deep, 64).depth, 65);
  });
});
