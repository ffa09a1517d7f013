import type { FetchedImage } from '../../../media/fetch-remote-image.ts';
import { isGeminiReadableUrl } from '../../../media/is-gemini-readable-url.ts';
import type { ChatRequest } from '../schema/chat-request-schema.ts';

export type { FetchedImage };

export type FetchedImages = ReadonlyMap<string, FetchedImage>;

/** Every distinct http(s) image URL the route must fetch before calling `convertChatRequest`. */
export function collectRemoteImageUrls(request: ChatRequest): string[] {
  const urls = new Set<string>();
  for (const message of request.messages) {
    if (message.role !== 'user' || typeof message.content === 'string') continue;
    for (const part of message.content) {
      if (part.type !== 'image_url') continue;
      const url = part.image_url.url;
      if (/^https?:\/\//i.test(url) && !isGeminiReadableUrl(url)) urls.add(url);
    }
  }
  return [...urls];
}
