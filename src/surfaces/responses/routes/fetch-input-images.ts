import { fetchImages } from '../../../media/fetch-images.ts';
import type { ImageFetcher } from '../../../media/fetch-remote-image.ts';
import type { MessageContentPart } from '../schema/input-item-schema.ts';
import { collectImageUrls, type FetchedImages } from '../translate/convert-content-part.ts';
import type { PlacedItem } from '../translate/convert-input-items.ts';

/**
 * Downloads every http(s) `input_image` the conversation names (Gemini cannot read arbitrary URLs),
 * before anything goes upstream; a failure is a 400.
 */
export function fetchInputImages(
  conversation: PlacedItem[],
  fetcher: ImageFetcher,
  signal: AbortSignal,
): Promise<FetchedImages> {
  const urls = collectImageUrls(conversation.flatMap(({ item }) => contentParts(item)));
  return fetchImages(urls, fetcher, signal, { field: 'input', inlineForm: 'data URLs' });
}

function contentParts(item: PlacedItem['item']): MessageContentPart[] {
  if (item.kind === 'message' && typeof item.content !== 'string') return item.content;
  if (item.kind === 'function_call_output' && typeof item.output !== 'string') return item.output;
  return [];
}
