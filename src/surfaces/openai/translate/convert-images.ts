import { z } from 'zod';
import { errors } from '../../../errors/app-error.ts';
import { geminiResponseSchema } from '../../../gemini/response-schema.ts';
import type { GeminiGenerateContentRequest, GeminiPart } from '../../../gemini/types.ts';

/** The model `/v1/images/*` uses when the client names none (or an OpenAI one such as `dall-e-3`). */
export const defaultImageModel = 'gemini-2.5-flash-image';

export type InputImage = { mimeType: string; data: string };
export type ImageData = { b64_json: string; mimeType: string; revisedPrompt: string | undefined };

/** Gemini image models take these aspect ratios; Imagen takes the first five. */
const geminiRatios = ['1:1', '3:4', '4:3', '9:16', '16:9', '2:3', '3:2', '4:5', '5:4', '21:9'];
const imagenRatios = geminiRatios.slice(0, 5);

/** Which Gemini model a requested name means: Gemini and Imagen names as they are, OpenAI's → the default. */
export function imageModel(requested: string | null | undefined): string {
  const name = (requested ?? '').replace(/^models\//, '');
  return /^(gemini|imagen)-/.test(name) ? name : defaultImageModel;
}

export function isImagen(model: string): boolean {
  return model.startsWith('imagen-');
}

/**
 * OpenAI's `size` (`1024x1536`, `auto`) → the nearest aspect ratio the model takes (by the log of
 * width/height); undefined for `auto` or nothing. A size that is not WxH is a 400.
 */
export function sizeToAspectRatio(size: string | null | undefined, model: string): string | undefined {
  if (size === undefined || size === null || size === 'auto') return undefined;
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (match === null || Number(match[1]) === 0 || Number(match[2]) === 0) {
    throw errors.invalidArgument(
      `size must be WIDTHxHEIGHT (e.g. 1024x1024) or auto, not '${size}'.`,
      'size',
    );
  }
  const wanted = Math.log(Number(match[1]) / Number(match[2]));
  const ratios = isImagen(model) ? imagenRatios : geminiRatios;
  let best = ratios[0] ?? '1:1';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const ratio of ratios) {
    const [width, height] = ratio.split(':').map(Number);
    const distance = Math.abs(Math.log((width ?? 1) / (height ?? 1)) - wanted);
    if (distance < bestDistance) {
      best = ratio;
      bestDistance = distance;
    }
  }
  return best;
}

/** One generateContent body asking a Gemini image model for an image (edits send the images along). */
export function geminiImageBody(
  prompt: string,
  aspectRatio: string | undefined,
  images: readonly InputImage[] = [],
): GeminiGenerateContentRequest {
  const parts: GeminiPart[] = [{ text: prompt }, ...images.map((image) => ({ inlineData: image }))];
  const generationConfig: GeminiGenerateContentRequest['generationConfig'] = {
    responseModalities: ['TEXT', 'IMAGE'],
  };
  if (aspectRatio !== undefined) generationConfig.imageConfig = { aspectRatio };
  return { contents: [{ role: 'user', parts }], generationConfig };
}

/** The `:predict` body for Imagen: `n` images in one call. */
export function imagenBody(prompt: string, count: number, aspectRatio: string | undefined) {
  return {
    instances: [{ prompt }],
    parameters: { sampleCount: count, ...(aspectRatio === undefined ? {} : { aspectRatio }) },
  };
}

/** The images of a generateContent answer (with its text as the revised prompt); a 502 when it has none. */
export function readGeminiImages(answer: unknown): ImageData[] {
  const parsed = geminiResponseSchema.safeParse(answer);
  if (!parsed.success) throw errors.upstreamUnreadable('an image answer', parsed.error);
  const parts = parsed.data.candidates?.[0]?.content?.parts ?? [];
  const text = parts
    .flatMap((part) => (typeof part.text === 'string' && part.thought !== true ? [part.text] : []))
    .join('');
  const images = parts.flatMap((part) =>
    part.inlineData?.mimeType.startsWith('image/') === true && part.thought !== true ? [part.inlineData] : [],
  );
  if (images.length === 0) throw noImage(parsed.data.candidates?.[0]?.finishReason, text);
  return images.map((image) => ({
    b64_json: image.data,
    mimeType: image.mimeType,
    revisedPrompt: text === '' ? undefined : text,
  }));
}

const predictSchema = z.looseObject({
  predictions: z
    .array(z.looseObject({ bytesBase64Encoded: z.string().nullish(), mimeType: z.string().nullish() }))
    .nullish(),
});

/** The images of an Imagen `:predict` answer; a 502 when it has none (all filtered). */
export function readImagenImages(answer: unknown): ImageData[] {
  const parsed = predictSchema.safeParse(answer);
  if (!parsed.success) throw errors.upstreamUnreadable('an image answer', parsed.error);
  const images = (parsed.data.predictions ?? []).flatMap((prediction) =>
    typeof prediction.bytesBase64Encoded === 'string'
      ? [
          {
            b64_json: prediction.bytesBase64Encoded,
            mimeType: prediction.mimeType ?? 'image/png',
            revisedPrompt: undefined,
          },
        ]
      : [],
  );
  if (images.length === 0) throw noImage('FILTERED', '');
  return images;
}

function noImage(finishReason: string | null | undefined, text: string) {
  const said = text === '' ? '' : ` It said: ${text.slice(0, 300)}`;
  return errors.invalidArgument(
    `The model returned no image (finish reason ${finishReason ?? 'none'}).${said}`,
    'prompt',
  );
}

export type ImagesResponse = {
  created: number;
  data: Array<{ b64_json?: string; url?: string; revised_prompt?: string }>;
  output_format?: string;
};

/** The OpenAI images answer; `url` is a data URL (this service keeps no files to link to). */
export function toImagesResponse(images: readonly ImageData[], format: 'b64_json' | 'url'): ImagesResponse {
  const data = images.map((image) => {
    const entry: ImagesResponse['data'][number] =
      format === 'url'
        ? { url: `data:${image.mimeType};base64,${image.b64_json}` }
        : { b64_json: image.b64_json };
    if (image.revisedPrompt !== undefined) entry.revised_prompt = image.revisedPrompt;
    return entry;
  });
  const subtype = images[0]?.mimeType.split('/')[1];
  return {
    created: Math.floor(Date.now() / 1000),
    data,
    ...(subtype === undefined ? {} : { output_format: subtype }),
  };
}
