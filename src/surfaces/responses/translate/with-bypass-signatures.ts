import type { GeminiPart } from '../../../gemini/types.ts';
import { bypassSignature } from '../../../translate/thought-signatures.ts';
import type { GeminiRequestBody } from './convert-request.ts';

/** Gemini's 400 for a signature minted elsewhere (another model, key or project). */
export function isStaleSignatureError(message: string): boolean {
  return /\b(?:invalid|corrupted) thought.?signature/i.test(message);
}

/** True when some part of the request carries a real (not bypass) thought signature. */
export function hasRealSignatures(body: GeminiRequestBody): boolean {
  return body.contents.some((content) =>
    content.parts.some((part) => 'thoughtSignature' in part && part.thoughtSignature !== bypassSignature),
  );
}

/**
 * The same request with every real signature replaced, the documented recovery from a stale one:
 * function calls get the bypass value, other parts lose theirs (Gemini does not require them).
 */
export function withBypassSignatures(body: GeminiRequestBody): GeminiRequestBody {
  const contents = body.contents.map((content) => ({ ...content, parts: content.parts.map(replace) }));
  return { ...body, contents };
}

function replace(part: GeminiPart): GeminiPart {
  if (!('thoughtSignature' in part) || part.thoughtSignature === undefined) return part;
  if ('functionCall' in part) return { ...part, thoughtSignature: bypassSignature };
  const { thoughtSignature: _dropped, ...rest } = part;
  return rest;
}
