/**
 * A set of small non-negative integers ("slots") handed out in round-robin order.
 * `add`, `remove`, `has` and `next` are O(1); memory is two Int32Arrays (8 bytes per slot),
 * so one ring per model stays cheap even with 100,000 keys.
 *
 * Items before the cursor were served this round, items from the cursor on are still due.
 * `remove` keeps that partition intact, so churn never makes a key skip its turn or get two.
 */
export class SlotRing {
  #items: Int32Array;
  /** slot → index in #items, or -1 when absent. */
  #positions: Int32Array;
  #size = 0;
  #cursor = 0;

  constructor(capacity = 16) {
    this.#items = new Int32Array(Math.max(1, capacity));
    this.#positions = new Int32Array(Math.max(1, capacity)).fill(-1);
  }

  get size(): number {
    return this.#size;
  }

  has(slot: number): boolean {
    return (this.#positions[slot] ?? -1) >= 0;
  }

  add(slot: number): void {
    if (this.has(slot)) return;
    this.#reserve(slot);
    this.#items[this.#size] = slot;
    this.#positions[slot] = this.#size;
    this.#size++;
  }

  remove(slot: number): void {
    let hole = this.#positions[slot] ?? -1;
    if (hole < 0) return;
    this.#positions[slot] = -1;
    if (hole < this.#cursor) {
      // Fill the hole with the last served item, so the hole moves to the edge of the served part.
      const lastServed = this.#cursor - 1;
      if (lastServed !== hole) this.#move(lastServed, hole);
      hole = lastServed;
      this.#cursor = lastServed;
    }
    const last = this.#size - 1;
    if (last !== hole) this.#move(last, hole);
    this.#size--;
  }

  /** Starts the round at the `offset`-th item (modulo the size), as if those before were served. */
  startAt(offset: number): void {
    this.#cursor = this.#size === 0 ? 0 : offset % this.#size;
  }

  /** The next slot in turn, or -1 when the ring is empty. */
  next(): number {
    if (this.#size === 0) return -1;
    if (this.#cursor >= this.#size) this.#cursor = 0;
    const slot = this.#items[this.#cursor] ?? -1;
    this.#cursor++;
    return slot;
  }

  #move(from: number, to: number): void {
    const slot = this.#items[from] ?? -1;
    this.#items[to] = slot;
    this.#positions[slot] = to;
  }

  #reserve(slot: number): void {
    if (slot >= this.#positions.length) {
      const positions = new Int32Array(Math.max(slot + 1, this.#positions.length * 2)).fill(-1);
      positions.set(this.#positions);
      this.#positions = positions;
    }
    if (this.#size >= this.#items.length) {
      const items = new Int32Array(this.#items.length * 2);
      items.set(this.#items);
      this.#items = items;
    }
  }
}
