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

  /** The last `usageMetadata` object of the tail, as JSON text; searched in the bytes, so only it is decoded. */
  get #lastObject(): string | undefined {
    const whole = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    const bytes = whole.subarray(Math.max(0, whole.length - tailBytes));
    const start = bytes.lastIndexOf(usageMetadataName);
    if (start === -1) return undefined;
    let index = afterSpace(bytes, start + usageMetadataName.length);
    if (bytes[index] !== colon) return undefined;
    index = afterSpace(bytes, index + 1);
    if (bytes[index] !== openBrace) return undefined;
    // Its end: the brace that closes the first one (usageMetadata holds numbers and token details,
    // no strings with braces in them).
    let depth = 0;
    for (let end = index; end < bytes.length; end++) {
      if (bytes[end] === openBrace) depth++;
      else if (bytes[end] === closeBrace && --depth === 0) return bytes.toString('latin1', index, end + 1);
    }
    return undefined;
  }

  usage(): TokenUsage | undefined {
    const object = this.#lastObject;
    if (object === undefined) return undefined;
    try {
      return readUsage(JSON.parse(object));
    } catch {
      return undefined;
    }
  }
}

const usageMetadataName = Buffer.from('"usageMetadata"');
const colon = 0x3a;
const openBrace = 0x7b;
const closeBrace = 0x7d;
/** The index of the first byte from `index` on that is not JSON white space. */
function afterSpace(bytes: Buffer, index: number): number {
  let at = index;
  while (
    at < bytes.length &&
    (bytes[at] === 0x20 || bytes[at] === 0x0a || bytes[at] === 0x0d || bytes[at] === 0x09)
  )
    at++;
  return at;
}

const count = (value: unknown) => (typeof value === 'number' ? value : undefined);

/**
 * Gemini's `usageMetadata` (from a whole answer or a stream's last chunk) → token counts; not an
 * object → undefined; a count that is not a number is left out (as `usageMetadataSchema` reads it).
 */
export function readUsage(usageMetadata: unknown): TokenUsage | undefined {
  if (typeof usageMetadata !== 'object' || usageMetadata === null || Array.isArray(usageMetadata))
    return undefined;
  const metadata = usageMetadata as Record<string, unknown>;
  return {
    prompt: count(metadata.promptTokenCount),
    candidates: count(metadata.candidatesTokenCount),
    thoughts: count(metadata.thoughtsTokenCount),
    cached: count(metadata.cachedContentTokenCount),
    total: count(metadata.totalTokenCount),
  };
}
