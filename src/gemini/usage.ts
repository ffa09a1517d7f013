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
