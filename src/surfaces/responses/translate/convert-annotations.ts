import { isRecord } from '../../../json/lenient-json.ts';
import type { UrlCitation } from '../schema/response-types.ts';

/**
 * Gemini's `groundingMetadata` → `url_citation` annotations on the answer text. Gemini's segment
 * offsets count UTF-8 bytes of the candidate's text; OpenAI's count characters of `text`.
 */
export function convertAnnotations(grounding: unknown, text: string): UrlCitation[] {
  if (!isRecord(grounding)) return [];
  const chunks = Array.isArray(grounding.groundingChunks) ? grounding.groundingChunks : [];
  const supports = Array.isArray(grounding.groundingSupports) ? grounding.groundingSupports : [];
  const bytes = Buffer.from(text, 'utf8');
  const toCharacter = (byteIndex: number) =>
    bytes.subarray(0, Math.min(Math.max(byteIndex, 0), bytes.length)).toString('utf8').length;
  const annotations: UrlCitation[] = [];
  for (const support of supports) {
    if (!isRecord(support) || !isRecord(support.segment)) continue;
    const start = typeof support.segment.startIndex === 'number' ? support.segment.startIndex : 0;
    const end = typeof support.segment.endIndex === 'number' ? support.segment.endIndex : 0;
    const indices = Array.isArray(support.groundingChunkIndices) ? support.groundingChunkIndices : [];
    for (const index of indices) {
      const chunk = typeof index === 'number' ? chunks[index] : undefined;
      const web = isRecord(chunk) && isRecord(chunk.web) ? chunk.web : undefined;
      if (web === undefined || typeof web.uri !== 'string') continue;
      annotations.push({
        type: 'url_citation',
        start_index: toCharacter(start),
        end_index: toCharacter(end),
        url: web.uri,
        title: typeof web.title === 'string' ? web.title : web.uri,
      });
    }
  }
  return annotations;
}

/** The searches Gemini ran, for `web_search_call` items. */
export function searchQueries(grounding: unknown): string[] {
  if (!isRecord(grounding) || !Array.isArray(grounding.webSearchQueries)) return [];
  return grounding.webSearchQueries.filter((query): query is string => typeof query === 'string');
}
