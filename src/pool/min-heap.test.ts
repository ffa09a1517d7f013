import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MinHeap } from './min-heap.ts';

test('pops in due-time order', () => {
  const heap = new MinHeap<string>();
  const times = [50, 10, 40, 10, 30, 20, 60, 0];
  for (const time of times) heap.push(time, `at-${time}`);
  assert.equal(heap.size, times.length);
  const popped: number[] = [];
  while (heap.size > 0) {
    popped.push(heap.peekTime());
    heap.pop();
  }
  assert.deepEqual(
    popped,
    times.toSorted((a, b) => a - b),
  );
  assert.equal(heap.peekTime(), Number.POSITIVE_INFINITY);
  assert.equal(heap.pop(), undefined);
});

test('value travels with its time', () => {
  const heap = new MinHeap<number>();
  for (let index = 0; index < 500; index++) heap.push((index * 7919) % 1000, (index * 7919) % 1000);
  let previous = -1;
  while (heap.size > 0) {
    const time = heap.peekTime();
    assert.equal(heap.pop(), time);
    assert.ok(time >= previous);
    previous = time;
  }
});
