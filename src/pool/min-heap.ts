/** A binary min-heap of values ordered by a due time; the pool's timer wheel for cooldowns and back-offs. */
export class MinHeap<Value> {
  #times: number[] = [];
  #values: Value[] = [];

  get size(): number {
    return this.#times.length;
  }

  push(at: number, value: Value): void {
    this.#times.push(at);
    this.#values.push(value);
    this.#siftUp(this.#times.length - 1);
  }

  /** Due time of the earliest value, or Infinity when empty. */
  peekTime(): number {
    return this.#times[0] ?? Number.POSITIVE_INFINITY;
  }

  peekValue(): Value | undefined {
    return this.#values[0];
  }

  pop(): Value | undefined {
    const top = this.#values[0];
    const lastTime = this.#times.pop();
    const lastValue = this.#values.pop();
    if (this.#times.length > 0 && lastTime !== undefined && lastValue !== undefined) {
      this.#times[0] = lastTime;
      this.#values[0] = lastValue;
      this.#siftDown(0);
    }
    return top;
  }

  #swap(first: number, second: number): void {
    const time = this.#times[first] ?? 0;
    const value = this.#values[first] as Value;
    this.#times[first] = this.#times[second] ?? 0;
    this.#values[first] = this.#values[second] as Value;
    this.#times[second] = time;
    this.#values[second] = value;
  }

  #time(index: number): number {
    return this.#times[index] ?? Number.POSITIVE_INFINITY;
  }

  #siftUp(index: number): void {
    let child = index;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (this.#time(parent) <= this.#time(child)) return;
      this.#swap(parent, child);
      child = parent;
    }
  }

  #siftDown(index: number): void {
    let parent = index;
    for (;;) {
      const left = parent * 2 + 1;
      const right = left + 1;
      let smallest = parent;
      if (this.#time(left) < this.#time(smallest)) smallest = left;
      if (this.#time(right) < this.#time(smallest)) smallest = right;
      if (smallest === parent) return;
      this.#swap(parent, smallest);
      parent = smallest;
    }
  }
}
