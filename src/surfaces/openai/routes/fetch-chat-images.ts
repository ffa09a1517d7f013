import { fetchImages } from '../../../media/fetch-images.ts';
import type { ImageFetcher } from '../../../media/fetch-remote-image.ts';
import type { ChatRequest } from '../schema/chat-request-schema.ts';
import { collectRemoteImageUrls, type FetchedImages } from '../translate/collect-remote-image-urls.ts';

/**
 * Downloads every http(s) image a chat request names, before anything goes upstream; a failure is a
 * 400 naming the part, e.g. `messages[1].content[0].image_url.url`.
 */
export function fetchChatImages(
  request: ChatRequest,
  fetcher: ImageFetcher,
  signal: AbortSignal,
): Promise<FetchedImages> {
  return fetchImages(collectRemoteImageUrls(request), fetcher, signal, {
    field: 'messages',
    inlineForm: 'data URLs',
    param: (url) => imageParam(request, url),
  });
}

/** Where a URL first appears in the request, in OpenAI's parameter notation. */
export function imageParam(request: ChatRequest, url: string): string {
  for (const [messageIndex, message] of request.messages.entries()) {
    if (message.role !== 'user' || typeof message.content === 'string') continue;
    for (const [partIndex, part] of message.content.entries()) {
      if (part.type === 'image_url' && part.image_url.url === url)
        return `messages[${messageIndex}].content[${partIndex}].image_url.url`;
    }
  }
  return 'messages';
}
