import type { GeminiGroundingMetadata } from '../../../gemini/response-schema.ts';
import type { UrlCitation } from '../schema/openai-types.ts';

/**
 * Gemini's grounding metadata → OpenAI `url_citation` annotations. Each grounding support names a
 * segment of the answer (UTF-8 byte offsets) and the web chunks behind it; OpenAI counts UTF-16 code
 * units, so offsets are converted against `text`, the answer's whole text (the segment's quoted
 * text settles a disagreement). A source no support
 * points at still gets one annotation covering the whole answer, so no source is lost.
 */
export function convertGrounding(
  metadata: GeminiGroundingMetadata | null | undefined,
  text: string,
): UrlCitation[] {
  const chunks = metadata?.groundingChunks ?? [];
  if (chunks.length === 0) return [];
  const offsets = byteToCharOffsets(text);
  const toChar = (byte: number): number =>
    offsets[Math.min(Math.max(byte, 0), offsets.length - 1)] ?? text.length;
  const annotations: UrlCitation[] = [];
  const cited = new Set<number>();
  for (const support of metadata?.groundingSupports ?? []) {
    const { start, end } = segmentRange(support.segment, text, toChar);
    for (const index of support.groundingChunkIndices ?? []) {
      const citation = citationOf(chunks[index]?.web, start, end);
      if (citation === undefined) continue;
      cited.add(index);
      annotations.push(citation);
    }
  }
  chunks.forEach((chunk, index) => {
    if (cited.has(index)) return;
    const citation = citationOf(chunk.web, 0, text.length);
    if (citation !== undefined) annotations.push(citation);
  });
  return annotations;
}

type Segment =
  | {
      startIndex?: number | null | undefined;
      endIndex?: number | null | undefined;
      text?: string | null | undefined;
    }
  | null
  | undefined;

/**
 * A segment's UTF-16 range in `text`. The segment's own text wins when the offsets disagree with it
 * (recorded answers exist whose offsets are one byte off): it is looked for near the offsets first.
 */
function segmentRange(
  segment: Segment,
  text: string,
  toChar: (byte: number) => number,
): { start: number; end: number } {
  const start = toChar(segment?.startIndex ?? 0);
  const end = toChar(segment?.endIndex ?? 0);
  const quoted = segment?.text;
  if (typeof quoted !== 'string' || quoted === '' || text.slice(start, end) === quoted) return { start, end };
  const near = text.indexOf(quoted, Math.max(0, start - 16));
  const found = near === -1 ? text.indexOf(quoted) : near;
  return found === -1 ? { start, end } : { start: found, end: found + quoted.length };
}

function citationOf(
  web: { uri?: string | null | undefined; title?: string | null | undefined } | null | undefined,
  start: number,
  end: number,
): UrlCitation | undefined {
  if (typeof web?.uri !== 'string' || web.uri === '') return undefined;
  return {
    type: 'url_citation',
    url_citation: {
      url: web.uri,
      title: web.title ?? web.uri,
      start_index: start,
      end_index: Math.max(start, end),
    },
  };
}

/** For every UTF-8 byte offset of `text` (0…byteLength), the UTF-16 offset of the character it starts or falls in. */
function byteToCharOffsets(text: string): number[] {
  const offsets: number[] = [];
  let charIndex = 0;
  for (const character of text) {
    const bytes = Buffer.byteLength(character, 'utf8');
    for (let byte = 0; byte < bytes; byte++) offsets.push(charIndex);
    charIndex += character.length;
  }
  offsets.push(charIndex);
  return offsets;
}
