import { AppError, errors } from '../../../errors/app-error.ts';
import type { FetchedImage, ImageFetcher } from '../../../media/fetch-remote-image.ts';
import { ImageBudget } from '../../../media/image-budget.ts';
import type { MessageContentPart } from '../schema/input-item-schema.ts';
import { collectImageUrls, type FetchedImages } from '../translate/convert-content-part.ts';
import type { PlacedItem } from '../translate/convert-input-items.ts';

/** Distinct remote images one request may name: each is fetched by us, in parallel. */
const maxRemoteImages = 16;

/** Gemini's limit on inline data in one request. */
const maxInlineBytes = 20 * 1024 * 1024;

/**
 * Downloads every http(s) `input_image` the conversation names (Gemini cannot read arbitrary URLs),
 * before anything goes upstream. The first failure cancels the others and becomes a 400.
 */
export async function fetchInputImages(
  conversation: PlacedItem[],
  fetcher: ImageFetcher,
  signal: AbortSignal,
): Promise<FetchedImages> {
  const urls = collectImageUrls(conversation.flatMap(({ item }) => contentParts(item)));
  if (urls.length === 0) return new Map();
  if (urls.length > maxRemoteImages) {
    throw errors.invalidArgument(
      `A request may name at most ${maxRemoteImages} distinct image URLs; send the others as data URLs.`,
      'input',
    );
  }
  const controller = new AbortController();
  const combined = AbortSignal.any([signal, controller.signal]);
  // More than Gemini takes inline can only fail upstream: the fetches share that budget and stop
  // downloading the moment it is spent.
  const budget = new ImageBudget(maxInlineBytes);
  const fetched = await Promise.all(
    urls.map(async (url): Promise<[string, FetchedImage]> => {
      try {
        return [url, await fetcher.fetch(url, combined, budget)];
      } catch (error) {
        controller.abort();
        if (!(error instanceof AppError)) throw error;
        throw errors.invalidArgument(`The image at ${url} could not be used: ${error.message}.`, 'input');
      }
    }),
  );
  return new Map(fetched);
}

function contentParts(item: PlacedItem['item']): MessageContentPart[] {
  if (item.kind === 'message' && typeof item.content !== 'string') return item.content;
  if (item.kind === 'function_call_output' && typeof item.output !== 'string') return item.output;
  return [];
}
