import { AppError, errors } from '../errors/app-error.ts';
import type { FetchedImage, ImageFetcher } from './fetch-remote-image.ts';
import { ImageBudget } from './image-budget.ts';

/** Gemini's limit on inline data in one request. */
const maxInlineBytes = 20 * 1024 * 1024;

/** Distinct remote images one request may name: each is fetched by us, in parallel. */
export const maxRemoteImages = 16;

export type ImageRequestContext = {
  /** The request field that holds the images (`messages`, `input`). */
  field: string;
  /** Where a URL stands in the client's request, in its API's parameter notation (default: `field`). */
  param?: (url: string) => string;
  /** The client's way to send an image inline ("data URLs", "base64"), named in the too-many error. */
  inlineForm: string;
};

/**
 * Downloads every remote image a request names (Gemini cannot read arbitrary URLs), before anything
 * goes upstream; shared by every translating surface. The fetches share Gemini's inline budget and
 * stop downloading the moment it is spent; the first failure cancels the others and becomes a 400
 * naming the part.
 */
export async function fetchImages(
  urls: readonly string[],
  fetcher: ImageFetcher,
  signal: AbortSignal,
  context: ImageRequestContext,
): Promise<Map<string, FetchedImage>> {
  if (urls.length === 0) return new Map();
  if (urls.length > maxRemoteImages) {
    throw errors.invalidArgument(
      `A request may name at most ${maxRemoteImages} distinct image URLs; send the others as ${context.inlineForm}.`,
      context.field,
    );
  }
  const controller = new AbortController();
  const combined = AbortSignal.any([signal, controller.signal]);
  const budget = new ImageBudget(maxInlineBytes);
  const fetched = await Promise.all(
    urls.map(async (url): Promise<[string, FetchedImage]> => {
      try {
        return [url, await fetcher.fetch(url, combined, budget)];
      } catch (error) {
        controller.abort();
        if (!(error instanceof AppError)) throw error;
        throw errors.invalidArgument(
          `The image at ${url} could not be used: ${error.message}.`,
          context.param?.(url) ?? context.field,
        );
      }
    }),
  );
  return new Map(fetched);
}
