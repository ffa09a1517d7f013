/**
 * Bytes all the remote images of one request may take together, shared by their parallel fetches
 * and charged as each chunk arrives: past the total the fetch still reading fails at once and the
 * others are cancelled, so a request holds at most this much image data however many URLs it names.
 */
export class ImageBudget {
  readonly limit: number;
  #used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.#used);
  }

  /** Charges `bytes`; false once the total would pass the limit. */
  take(bytes: number): boolean {
    this.#used += bytes;
    return this.#used <= this.limit;
  }
}
