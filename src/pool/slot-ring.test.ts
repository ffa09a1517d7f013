import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlotRing } from './slot-ring.ts';

const drawRound = (ring: SlotRing): number[] => Array.from({ length: ring.size }, () => ring.next());

test('hands out every slot once per round, in a stable order', () => {
  const ring = new SlotRing(2);
  for (const slot of [5, 1, 9, 3]) ring.add(slot);
  ring.add(1);
  assert.equal(ring.size, 4);
  assert.deepEqual(drawRound(ring), [5, 1, 9, 3]);
  assert.deepEqual(drawRound(ring), [5, 1, 9, 3]);
  assert.equal(new SlotRing().next(), -1);
});

test('removal on either side of the cursor neither skips nor repeats anyone this round', () => {
  for (let removedIndex = 0; removedIndex < 6; removedIndex++) {
    for (let served = 0; served <= 6; served++) {
      const ring = new SlotRing();
      const slots = [10, 11, 12, 13, 14, 15];
      for (const slot of slots) ring.add(slot);
      const seen = Array.from({ length: served }, () => ring.next());
      const removed = slots[removedIndex] ?? -1;
      ring.remove(removed);
      assert.equal(ring.has(removed), false);
      // Finish the round: everyone not yet seen (and not removed) exactly once.
      const dueCount = slots.filter((slot) => slot !== removed && !seen.includes(slot)).length;
      const rest = Array.from({ length: served === 6 ? 0 : dueCount }, () => ring.next());
      const expectedRest = slots.filter((slot) => slot !== removed && !seen.includes(slot));
      assert.deepEqual(rest.toSorted(), expectedRest.toSorted(), `remove #${removedIndex} after ${served}`);
      assert.deepEqual(drawRound(ring).toSorted(), slots.filter((slot) => slot !== removed).toSorted());
    }
  }
});

test('random churn keeps the set consistent', () => {
  const ring = new SlotRing(1);
  const members = new Set<number>();
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let step = 0; step < 20_000; step++) {
    const slot = Math.floor(random() * 300);
    const action = random();
    if (action < 0.4) {
      ring.add(slot);
      members.add(slot);
    } else if (action < 0.7) {
      ring.remove(slot);
      members.delete(slot);
    } else if (members.size > 0) {
      assert.ok(members.has(ring.next()));
    }
    assert.equal(ring.size, members.size);
  }
  assert.deepEqual(
    drawRound(ring).toSorted((a, b) => a - b),
    [...members].toSorted((a, b) => a - b),
  );
});
