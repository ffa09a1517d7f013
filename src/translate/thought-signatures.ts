import { isGemini3OrLater } from './thinking-config.ts';

/**
 * Thought signatures, shared by every translating surface.
 *
 * Gemini 3 answers a tool call with a `thoughtSignature` on the (first) `functionCall` part and
 * refuses the next turn with a 400 ("Function call is missing a thought_signature in functionCall
 * parts…") when that part comes back without it. Surfaces carry the signature in their own dialect
 * (Anthropic: a `thinking` block before the `tool_use`; OpenAI: `extra_content`), and the server-side
 * `SignatureStore` (src/store/signature-store.ts) remembers it by tool-call id for clients that
 * drop it. What is still missing gets Google's documented bypass value, so an old or foreign
 * history is accepted instead of failing.
 *
 * Use: after converting a request, `missingSignatureCalls(contents)` lists the calls to look up;
 * `restoreSignatures(contents, found, model)` puts found ones back and the bypass value on the rest.
 */

/** Google's value for "no real signature available" (thought-signature documentation). */
export const bypassSignature = 'skip_thought_signature_validator';

/** The slice of Gemini's content shape this module reads and writes. */
export type SignedContent = {
  role: string;
  parts: Array<{ functionCall?: unknown; thoughtSignature?: string } | object>;
};

/** Where a tool call sits (`contents[content].parts[part]`) and the client's id for it. */
export type CallPosition = { content: number; part: number; id: string };

type SignablePart = { functionCall?: unknown; thoughtSignature?: string };

/**
 * The first `functionCall` part of each model turn that has no signature, with the tool-call id
 * `idOf` gives it (surfaces keep ids beside the contents; Gemini's part has none we can rely on).
 * Only the first call of a step carries a signature at Google, so only the first is checked.
 */
export function missingSignatureCalls(
  contents: readonly SignedContent[],
  idOf: (content: number, part: number) => string | undefined,
): CallPosition[] {
  const missing: CallPosition[] = [];
  contents.forEach((content, contentIndex) => {
    if (content.role !== 'model') return;
    const partIndex = content.parts.findIndex((part) => 'functionCall' in part);
    const part = content.parts[partIndex] as SignablePart | undefined;
    if (part === undefined || typeof part.thoughtSignature === 'string') return;
    const id = idOf(contentIndex, partIndex);
    if (id !== undefined) missing.push({ content: contentIndex, part: partIndex, id });
  });
  return missing;
}

/**
 * Puts restored signatures (by tool-call id) back on their parts; on Gemini 3 and later, calls still
 * unsigned get the bypass value. Returns new contents; the input is not changed.
 */
export function restoreSignatures<Content extends SignedContent>(
  contents: readonly Content[],
  missing: readonly CallPosition[],
  found: ReadonlyMap<string, string>,
  model: string,
): Content[] {
  const copy = contents.map((content) => ({ ...content, parts: [...content.parts] }));
  const bypass = isGemini3OrLater(model);
  for (const position of missing) {
    const signature = found.get(position.id) ?? (bypass ? bypassSignature : undefined);
    const content = copy[position.content];
    const part = content?.parts[position.part];
    if (content === undefined || part === undefined || signature === undefined) continue;
    content.parts[position.part] = { ...part, thoughtSignature: signature };
  }
  return copy;
}

/** A signature worth remembering: a real one (never the bypass value), of sane size. */
export function isRememberable(signature: string | null | undefined): signature is string {
  return (
    typeof signature === 'string' &&
    signature !== '' &&
    signature !== bypassSignature &&
    signature.length <= 65_536
  );
}

/**
 * Whether a Gemini 400 is about thought signatures: missing (a history built elsewhere), or
 * `Invalid` / `Corrupted thought signature` (a conversation moved to another model or key).
 * Resending with the bypass value is the documented recovery.
 */
export function isSignatureRejection(status: number, message: string): boolean {
  return status === 400 && /thought[_ ]?signature/i.test(message);
}

/**
 * The contents with every signature replaced by the bypass value on `functionCall` parts and
 * dropped elsewhere (text parts): what a retry after a signature rejection sends.
 */
export function withBypassSignatures<Content extends SignedContent>(contents: readonly Content[]): Content[] {
  return contents.map((content) => {
    if (content.role !== 'model') return content;
    const parts = content.parts.map((part) => {
      if ('functionCall' in part) return { ...part, thoughtSignature: bypassSignature };
      if (!('thoughtSignature' in part)) return part;
      const { thoughtSignature: _dropped, ...rest } = part as SignablePart;
      return rest;
    });
    return { ...content, parts };
  });
}
