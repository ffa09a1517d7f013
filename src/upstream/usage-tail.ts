/** Token counts as Gemini reports them in `usageMetadata`. */
export type TokenUsage = {
  prompt: number | undefined;
  candidates: number | undefined;
  thoughts: number | undefined;
  cached: number | undefined;
  total: number | undefined;
};

/** Gemini puts usageMetadata at the end of an answer (the last event of a stream): keep this much. */
const tailBytes = 8192;

/**
 * Reads token usage from the tail of a response as it streams by: only the last few KiB are kept,
 * and nothing is parsed until the end, so the pass-through stays unbuffered and cheap.
 */
export class UsageTail {
  #tail = '';

  add(chunk: Buffer): void {
    // latin1 keeps one character per byte, so slicing never splits what we look for (ASCII keys, digits).
    const recent = chunk.length > tailBytes ? chunk.subarray(chunk.length - tailBytes) : chunk;
    this.#tail = (this.#tail + recent.toString('latin1')).slice(-tailBytes);
  }

  usage(): TokenUsage | undefined {
    const start = this.#tail.lastIndexOf('"usageMetadata"');
    if (start === -1) return undefined;
    const object = this.#tail
      .slice(start)
      .match(/^"usageMetadata"\s*:\s*(\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})/)?.[1];
    if (object === undefined) return undefined;
    try {
      const metadata = JSON.parse(object) as Record<string, unknown>;
      const count = (name: string) =>
        typeof metadata[name] === 'number' ? (metadata[name] as number) : undefined;
      return {
        prompt: count('promptTokenCount'),
        candidates: count('candidatesTokenCount'),
        thoughts: count('thoughtsTokenCount'),
        cached: count('cachedContentTokenCount'),
        total: count('totalTokenCount'),
      };
    } catch {
      return undefined;
    }
  }
}
