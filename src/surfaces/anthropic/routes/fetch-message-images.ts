import { fetchImages } from '../../../media/fetch-images.ts';
import type { ImageFetcher } from '../../../media/fetch-remote-image.ts';
import { isGeminiReadableUrl } from '../../../media/is-gemini-readable-url.ts';
import type { CountTokensRequest } from '../schema/message-request-schema.ts';
import type { FetchedImages } from '../translate/convert-content.ts';

/**
 * Downloads every http(s) image a request names (in messages and in tool results) through the
 * shared bounded, address-checked fetcher, before anything goes upstream; a failure is a 400.
 */
export function fetchMessageImages(
  request: Pick<CountTokensRequest, 'messages'>,
  fetcher: ImageFetcher,
  signal: AbortSignal,
): Promise<FetchedImages> {
  return fetchImages(collectImageUrls(request), fetcher, signal, { field: 'messages', inlineForm: 'base64' });
}

function collectImageUrls(request: Pick<CountTokensRequest, 'messages'>): string[] {
  const urls = new Set<string>();
  const visit = (block: { type: string; source?: unknown }): void => {
    if (block.type !== 'image') return;
    const source = block.source as { type?: string; url?: string };
    if (
      source.type === 'url' &&
      typeof source.url === 'string' &&
      /^https?:\/\//i.test(source.url) &&
      !isGeminiReadableUrl(source.url)
    )
      urls.add(source.url);
  };
  for (const message of request.messages) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) {
      visit(block);
      if (block.type === 'tool_result' && Array.isArray(block.content))
        for (const inner of block.content) visit(inner);
    }
  }
  return [...urls];
}
