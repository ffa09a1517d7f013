import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientAbortSignal } from '../../../dispatch/client-abort-signal.ts';
import type { Dispatcher } from '../../../dispatch/dispatcher.ts';
import { errors } from '../../../errors/app-error.ts';
import { sniffImageType } from '../../../media/sniff-image-type.ts';
import {
  type ImageGenerationRequest,
  imageEditSchema,
  imageGenerationSchema,
  parseWith,
} from '../schema/media-request-schemas.ts';
import {
  geminiImageBody,
  type ImageData,
  type InputImage,
  imageModel,
  imagenBody,
  isImagen,
  readGeminiImages,
  readImagenImages,
  sizeToAspectRatio,
  toImagesResponse,
} from '../translate/convert-images.ts';
import { callGeminiAnswer } from './call-gemini-answer.ts';
import { readForm } from './read-form.ts';

/**
 * `POST /v1/images/generations`: Gemini image models through generateContent with image output (one
 * call per image, in parallel: they make one image per answer), Imagen models through `:predict`
 * (`n` in one call). `size` becomes the nearest aspect ratio.
 */
export async function generateImages(
  request: FastifyRequest,
  reply: FastifyReply,
  dispatcher: Dispatcher,
): Promise<FastifyReply> {
  const generation = parseWith(imageGenerationSchema, request.body);
  const images = await makeImages(generation, [], { dispatcher, request, reply });
  return reply
    .type('application/json; charset=utf-8')
    .send(toImagesResponse(images, generation.response_format ?? 'b64_json'));
}

/**
 * `POST /v1/images/edits` (multipart: `image` or `image[]`, one or more; optional `mask`; `prompt`):
 * the images go to a Gemini image model with the prompt. Gemini has no mask field, so a mask is sent
 * as one more image the prompt points at. Imagen cannot edit through the Gemini API: a 400.
 */
export async function editImages(
  request: FastifyRequest,
  reply: FastifyReply,
  dispatcher: Dispatcher,
): Promise<FastifyReply> {
  const form = await readForm(request);
  const edit = parseWith(imageEditSchema, form.fields);
  const uploads = [...(form.files.get('image') ?? []), ...(form.files.get('image[]') ?? [])];
  if (uploads.length === 0) throw errors.invalidArgument('Send at least one image to edit.', 'image');
  const inputs: InputImage[] = uploads.map((upload) => toInputImage(upload.bytes, upload.mimeType, 'image'));
  const mask = form.files.get('mask')?.[0];
  let prompt = edit.prompt;
  if (mask !== undefined) {
    inputs.push(toInputImage(mask.bytes, mask.mimeType, 'mask'));
    prompt = `${prompt}\n\nThe last image is a mask: change only where it is transparent.`;
  }
  if (isImagen(imageModel(edit.model))) {
    throw errors.invalidArgument(
      'Imagen models cannot edit images through the Gemini API; use a Gemini image model.',
      'model',
    );
  }
  const images = await makeImages({ ...edit, prompt }, inputs, { dispatcher, request, reply });
  return reply
    .type('application/json; charset=utf-8')
    .send(toImagesResponse(images, edit.response_format ?? 'b64_json'));
}

type Context = { dispatcher: Dispatcher; request: FastifyRequest; reply: FastifyReply };

async function makeImages(
  generation: ImageGenerationRequest,
  inputs: readonly InputImage[],
  context: Context,
): Promise<ImageData[]> {
  const model = imageModel(generation.model);
  const count = generation.n ?? 1;
  const aspectRatio = sizeToAspectRatio(generation.size, model);
  const signal = clientAbortSignal(context.reply);
  const call = (method: string, body: unknown) => ({
    method: 'POST' as const,
    path: `/v1beta/models/${encodeURIComponent(model)}:${method}`,
    model,
    ...(generation.model === undefined || generation.model === null
      ? {}
      : { requestedModel: generation.model }),
    body,
    signal,
  });
  if (isImagen(model)) {
    const answer = await callGeminiAnswer(
      context.dispatcher,
      call('predict', imagenBody(generation.prompt, count, aspectRatio)),
      context.request,
    );
    return readImagenImages(answer);
  }
  const body = geminiImageBody(generation.prompt, aspectRatio, inputs);
  const answers = await Promise.all(
    Array.from({ length: count }, () =>
      callGeminiAnswer(context.dispatcher, call('generateContent', body), context.request),
    ),
  );
  return answers.flatMap(readGeminiImages).slice(0, count);
}

function toInputImage(bytes: Buffer, declared: string, param: string): InputImage {
  const mimeType = sniffImageType(declared, bytes);
  if (mimeType === undefined)
    throw errors.invalidArgument('The upload is not an image (PNG, JPEG, WebP, GIF…).', param);
  return { mimeType, data: bytes.toString('base64') };
}
