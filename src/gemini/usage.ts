import { usageMetadataSchema } from './response-schema.ts';

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
 * Reads token usage from the tail of a response as it streams by: only the chunks holding the last
 * few KiB are kept (as they came, undecoded), and nothing is read until the end, so the pass-through
 * stays unbuffered and cheap.
 */
export class UsageTail {
  /** The latest chunks, as received (no copy, no decoding), covering at least the last `tailBytes`. */
  #chunks: Buffer[] = [];
  #size = 0;

  add(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#chunks.length > 1 && this.#size - (this.#chunks[0]?.length ?? 0) >= tailBytes) {
      this.#size -= this.#chunks.shift()?.length ?? 0;
    }
  }

  get #tail(): string {
    const bytes = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    // latin1 keeps one character per byte, so slicing never splits what we look for (ASCII keys, digits).
    return bytes.subarray(Math.max(0, bytes.length - tailBytes)).toString('latin1');
  }

  usage(): TokenUsage | undefined {
    const tail = this.#tail;
    const start = tail.lastIndexOf('"usageMetadata"');
    if (start === -1) return undefined;
    const object = tail
      .slice(start)
      .match(/^"usageMetadata"\s*:\s*(\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})/)?.[1];
    if (object === undefined) return undefined;
    try {
      return readUsage(JSON.parse(object));
    } catch {
      return undefined;
    }
  }
}

/** Gemini's `usageMetadata` (from a whole answer or a stream's last chunk) → token counts; unreadable → undefined. */
export function readUsage(usageMetadata: unknown): TokenUsage | undefined {
  const parsed = usageMetadataSchema.safeParse(usageMetadata);
  if (!parsed.success) return undefined;
  const metadata = parsed.data;
  return {
    prompt: metadata.promptTokenCount ?? undefined,
    candidates: metadata.candidatesTokenCount ?? undefined,
    thoughts: metadata.thoughtsTokenCount ?? undefined,
    cached: metadata.cachedContentTokenCount ?? undefined,
    total: metadata.totalTokenCount ?? undefined,
  };
}
