import {
  imageEditSchema,
  imageGenerationSchema,
  speechSchema,
  transcriptionSchema,
} from '../../surfaces/openai/schema/media-request-schemas.ts';
import {
  errorAnswers,
  jsonAnswer,
  jsonBody,
  jsonSchemaOf,
  type OpenApiObject,
  openaiSecurity,
} from './operation.ts';

const tag = 'OpenAI API';
const translated =
  "Translated to the Gemini API and back; the pool, retries and errors as for native calls (errors in OpenAI's format). Also under `/openai/v1/…`.";

/** A multipart body: the zod schema's fields plus the named file fields (binary, which Try it out uploads). */
function formBody(
  fields: OpenApiObject,
  files: Record<string, OpenApiObject>,
  required: string[],
  example: OpenApiObject,
): OpenApiObject {
  const properties = { ...(fields.properties as OpenApiObject), ...files };
  const schema = { ...fields, properties, required: [...((fields.required as string[]) ?? []), ...required] };
  return { required: true, content: { 'multipart/form-data': { schema, example } } };
}
const binary = (description: string) => ({ type: 'string', format: 'binary', description });

const pixel =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const imagesAnswer = jsonAnswer(
  'The images, base64 (`b64_json`, the default) or as `data:` URLs (`response_format: "url"`).',
  {
    type: 'object',
    properties: {
      created: { type: 'integer' },
      data: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            b64_json: { type: 'string' },
            url: { type: 'string' },
            revised_prompt: { type: 'string' },
          },
        },
      },
      output_format: { type: 'string' },
    },
  },
  { created: 1764547200, data: [{ b64_json: pixel }], output_format: 'png' },
);
const models =
  'A Gemini image model (`gemini-2.5-flash-image`, the default for OpenAI names such as `gpt-image-1`) makes one image per call, so `n` images are `n` calls in parallel; an Imagen model (`imagen-4.0-generate-001`) makes `n` in one `:predict` call. `size` (`1024x1536`) becomes the nearest aspect ratio.';

const generations = {
  post: {
    tags: [tag],
    operationId: 'createImage',
    summary: 'Create images',
    description: `${models} ${translated}`,
    security: openaiSecurity,
    requestBody: jsonBody(jsonSchemaOf(imageGenerationSchema), {
      model: 'gemini-2.5-flash-image',
      prompt: 'A lighthouse at dawn, watercolour',
      n: 1,
      size: '1024x1024',
    }),
    responses: { '200': imagesAnswer, ...errorAnswers('openai') },
  },
};

const edits = {
  post: {
    tags: [tag],
    operationId: 'createImageEdit',
    summary: 'Edit images',
    description: `Multipart: one or more \`image\` (or \`image[]\`) files, an optional \`mask\`, and \`prompt\`. The images go to a Gemini image model with the prompt; Gemini has no mask field, so a mask is sent as one more image the prompt points at. Imagen models cannot edit (a 400). ${translated}`,
    security: openaiSecurity,
    requestBody: formBody(
      jsonSchemaOf(imageEditSchema),
      {
        image: binary('The image to edit (PNG, JPEG, WebP, GIF); repeat as `image[]` for several.'),
        mask: binary('Optional: transparent where the image may change.'),
      },
      ['image'],
      { model: 'gemini-2.5-flash-image', prompt: 'Make the sky stormy', image: 'lighthouse.png' },
    ),
    responses: { '200': imagesAnswer, ...errorAnswers('openai') },
  },
};

const speech = {
  post: {
    tags: [tag],
    operationId: 'createSpeech',
    summary: 'Create speech',
    description: `Through a Gemini TTS model (\`gemini-2.5-flash-preview-tts\` for OpenAI names such as \`tts-1\`); OpenAI voices map to Gemini voices, Gemini voice names work as they are. Gemini speaks 24 kHz 16-bit PCM: \`wav\` (the default) and \`pcm\` are served, mp3/opus/aac/flac are a 400. \`instructions\` and \`speed\` are said to the model. ${translated}`,
    security: openaiSecurity,
    requestBody: jsonBody(jsonSchemaOf(speechSchema), {
      model: 'tts-1',
      input: 'Hello from Gemini Balance.',
      voice: 'alloy',
      response_format: 'wav',
    }),
    responses: {
      '200': {
        description: 'The audio file itself.',
        content: {
          'audio/wav': { schema: { type: 'string', format: 'binary' } },
          'audio/pcm': { schema: { type: 'string', format: 'binary' } },
        },
      },
      ...errorAnswers('openai'),
    },
  },
};

const transcriptions = {
  post: {
    tags: [tag],
    operationId: 'createTranscription',
    summary: 'Create a transcription',
    description: `Multipart: the audio as \`file\` (wav, mp3, m4a, ogg, flac, webm…) and \`model\` (\`whisper-1\` and other OpenAI names use \`gemini-2.5-flash\`). Goes to generateContent with the audio inline; the whole transcript comes at once (no streaming). ${translated}`,
    security: openaiSecurity,
    requestBody: formBody(jsonSchemaOf(transcriptionSchema), { file: binary('The audio file.') }, ['file'], {
      model: 'whisper-1',
      file: 'hello.wav',
      response_format: 'json',
    }),
    responses: {
      '200': {
        description:
          'The transcript in `response_format`: `json` (the default), `verbose_json`, `text`, `srt`, `vtt`.',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                text: { type: 'string' },
                language: { type: 'string' },
                duration: { type: 'number' },
                segments: { type: 'array', items: { type: 'object' } },
              },
            },
            example: { text: 'Hello from Gemini Balance.' },
          },
          'text/plain': { schema: { type: 'string' }, example: 'Hello from Gemini Balance.\n' },
          'text/vtt': {
            schema: { type: 'string' },
            example: 'WEBVTT\n\n00:00:00.000 --> 00:00:01.800\nHello from Gemini Balance.\n',
          },
        },
      },
      ...errorAnswers('openai'),
    },
  },
};

export const mediaPaths: OpenApiObject = {
  '/v1/images/generations': generations,
  '/v1/images/edits': edits,
  '/v1/audio/speech': speech,
  '/v1/audio/transcriptions': transcriptions,
};
