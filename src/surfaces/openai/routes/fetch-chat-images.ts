import { AppError, errors } from '../../../errors/app-error.ts';
import type { ImageFetcher } from '../../../media/fetch-remote-image.ts';
import { ImageBudget } from '../../../media/image-budget.ts';
import type { ChatRequest } from '../schema/chat-request-schema.ts';
import {
  collectRemoteImageUrls,
  type FetchedImage,
  type FetchedImages,
} from '../translate/collect-remote-image-urls.ts';

/** Gemini's limit on inline data in one request. */
const maxInlineBytes = 20 * 1024 * 1024;

/** Distinct remote images one request may name: each is fetched by us, in parallel. */
export const maxRemoteImages = 16;

/**
 * Downloads every http(s) image a chat request names, before anything goes upstream. The first
 * failure cancels the others and becomes a 400 naming the part, e.g. `messages[1].content[0].image_url.url`.
 */
export async function fetchChatImages(
  request: ChatRequest,
  fetcher: ImageFetcher,
  signal: AbortSignal,
): Promise<FetchedImages> {
  const urls = collectRemoteImageUrls(request);
  if (urls.length === 0) return new Map();
  if (urls.length > maxRemoteImages) {
    throw errors.invalidArgument(
      `A request may name at most ${maxRemoteImages} distinct image URLs; send the others as data URLs.`,
      'messages',
    );
  }
  const controller = new AbortController();
  const combined = AbortSignal.any([signal, controller.signal]);
  // Gemini takes at most 20 MB of inline data in one request: more can only fail upstream, so the
  // fetches share that budget and stop downloading the moment it is spent.
  const budget = new ImageBudget(maxInlineBytes);
  const fetched = await Promise.all(
    urls.map(async (url): Promise<[string, FetchedImage]> => {
      try {
        return [url, await fetcher.fetch(url, combined, budget)];
      } catch (error) {
        controller.abort();
        throw toParamError(error, url, request);
      }
    }),
  );
  return new Map(fetched);
}

function toParamError(error: unknown, url: string, request: ChatRequest): unknown {
  if (!(error instanceof AppError)) return error;
  return errors.invalidArgument(
    `The image at ${url} could not be used: ${error.message}.`,
    imageParam(request, url),
  );
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
