import { AppError, errors } from '../../../errors/app-error.ts';
import type { ImageFetcher } from '../../../media/fetch-remote-image.ts';
import { ImageBudget } from '../../../media/image-budget.ts';
import { isGeminiReadableUrl } from '../../../media/is-gemini-readable-url.ts';
import type { CountTokensRequest } from '../schema/message-request-schema.ts';
import type { FetchedImages } from '../translate/convert-content.ts';

/** Gemini's limit on inline data in one request. */
const maxInlineBytes = 20 * 1024 * 1024;
/** Distinct remote images one request may name: each is fetched by us, in parallel. */
const maxRemoteImages = 16;

/**
 * Downloads every http(s) image a request names (in messages and in tool results) through the
 * bounded, address-checked fetcher the OpenAI surface uses, before anything goes upstream. The
 * first failure cancels the others and becomes a 400 naming the URL.
 */
export async function fetchMessageImages(
  request: Pick<CountTokensRequest, 'messages'>,
  fetcher: ImageFetcher,
  signal: AbortSignal,
): Promise<FetchedImages> {
  const urls = collectImageUrls(request);
  if (urls.length === 0) return new Map();
  if (urls.length > maxRemoteImages) {
    throw errors.invalidArgument(
      `A request may name at most ${maxRemoteImages} distinct image URLs; send the others as base64.`,
      'messages',
    );
  }
  const controller = new AbortController();
  const combined = AbortSignal.any([signal, controller.signal]);
  // The fetches share Gemini's inline limit and stop downloading the moment it is spent.
  const budget = new ImageBudget(maxInlineBytes);
  const fetched = await Promise.all(
    urls.map(async (url): Promise<[string, { mimeType: string; data: string }]> => {
      try {
        return [url, await fetcher.fetch(url, combined, budget)];
      } catch (error) {
        controller.abort();
        if (!(error instanceof AppError)) throw error;
        throw errors.invalidArgument(`The image at ${url} could not be used: ${error.message}.`, 'messages');
      }
    }),
  );
  return new Map(fetched);
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
