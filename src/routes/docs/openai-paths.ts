import { chatRequestSchema } from '../../surfaces/openai/schema/chat-request-schema.ts';
import { embeddingsRequestSchema } from '../../surfaces/openai/translate/convert-embeddings.ts';
import { schemaRef } from './gemini-schemas.ts';
import {
  errorAnswers,
  jsonAnswer,
  jsonBody,
  jsonSchemaOf,
  nativeSecurity,
  type OpenApiObject,
  openaiSecurity,
} from './operation.ts';

const tag = 'OpenAI API';
const translated =
  "Translated to the Gemini API and back; the pool, retries and errors as for native calls (errors in OpenAI's format). Also under `/openai/v1/…`.";

const chatRequest = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hello' }] };
const chatAnswer = {
  id: 'chatcmpl-4f1c2a',
  object: 'chat.completion',
  created: 1764547200,
  model: 'gemini-2.5-flash',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello! How can I help you today?' },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 1, completion_tokens: 9, total_tokens: 10 },
};
const chatCompletion = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { type: 'string', enum: ['chat.completion'] },
    created: { type: 'integer' },
    model: { type: 'string' },
    choices: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          index: { type: 'integer' },
          message: {
            type: 'object',
            properties: {
              role: { type: 'string' },
              content: { type: ['string', 'null'] },
              tool_calls: { type: 'array', items: { type: 'object' } },
            },
          },
          finish_reason: { type: ['string', 'null'] },
        },
      },
    },
    usage: {
      type: 'object',
      properties: {
        prompt_tokens: { type: 'integer' },
        completion_tokens: { type: 'integer' },
        total_tokens: { type: 'integer' },
      },
    },
  },
};
const streamChunk = {
  id: 'chatcmpl-4f1c2a',
  object: 'chat.completion.chunk',
  created: 1764547200,
  model: 'gemini-2.5-flash',
  choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello!' }, finish_reason: null }],
};

const chat = {
  post: {
    tags: [tag],
    operationId: 'createChatCompletion',
    summary: 'Create a chat completion',
    description: `OpenAI chat completions: text, images (data: and http(s) URLs), tools, structured output, \`reasoning_effort\`; \`"stream": true\` answers in server-sent events ending with \`data: [DONE]\`. ${translated}`,
    security: openaiSecurity,
    requestBody: jsonBody(jsonSchemaOf(chatRequestSchema), chatRequest),
    responses: {
      '200': {
        description: 'The completion (JSON), or with `"stream": true` its chunks (server-sent events).',
        content: {
          'application/json': { schema: chatCompletion, example: chatAnswer },
          'text/event-stream': {
            schema: { type: 'string' },
            example: `data: ${JSON.stringify(streamChunk)}\n\ndata: [DONE]\n\n`,
          },
        },
      },
      ...errorAnswers('openai'),
    },
  },
};

const embeddings = {
  post: {
    tags: [tag],
    operationId: 'createEmbeddings',
    summary: 'Create embeddings',
    description: `One vector per input string (Gemini batchEmbedContents). ${translated}`,
    security: openaiSecurity,
    requestBody: jsonBody(jsonSchemaOf(embeddingsRequestSchema), {
      model: 'gemini-embedding-001',
      input: ['Hello', 'World'],
      dimensions: 2,
    }),
    responses: {
      '200': jsonAnswer(
        'The vectors, in input order.',
        {
          type: 'object',
          properties: {
            object: { type: 'string', enum: ['list'] },
            data: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  index: { type: 'integer' },
                  embedding: { type: 'array', items: { type: 'number' } },
                },
              },
            },
            model: { type: 'string' },
          },
        },
        {
          object: 'list',
          data: [
            { object: 'embedding', index: 0, embedding: [0.0123, -0.0456] },
            { object: 'embedding', index: 1, embedding: [0.0789, 0.0012] },
          ],
          model: 'gemini-embedding-001',
          usage: { prompt_tokens: 2, total_tokens: 2 },
        },
      ),
      ...errorAnswers('openai'),
    },
  },
};

const openaiModel = { id: 'gemini-2.5-flash', object: 'model', created: 0, owned_by: 'google' };
const shared =
  "Shared by both APIs: with `Authorization: Bearer` (OpenAI clients) the OpenAI form; with `x-goog-api-key` or `?key=` Gemini's own answer, unchanged. `/openai/v1/models` is always the OpenAI form.";

const models = {
  get: {
    tags: [tag, 'Gemini API'],
    operationId: 'listModelsShared',
    summary: 'List models (OpenAI or Gemini form)',
    description: shared,
    security: [...openaiSecurity, ...nativeSecurity.slice(0, 2)],
    responses: {
      '200': {
        description: "The model list in the caller's form.",
        content: {
          'application/json': {
            schema: {
              oneOf: [
                { type: 'object', properties: { object: { const: 'list' }, data: { type: 'array' } } },
                schemaRef('ListModelsResponse'),
              ],
            },
            example: { object: 'list', data: [openaiModel] },
          },
        },
      },
      ...errorAnswers('openai'),
    },
  },
};

const model = {
  get: {
    tags: [tag, 'Gemini API'],
    operationId: 'getModelShared',
    summary: 'Get a model (OpenAI or Gemini form)',
    description: shared,
    security: [...openaiSecurity, ...nativeSecurity.slice(0, 2)],
    parameters: [
      { name: 'model', in: 'path', required: true, schema: { type: 'string' }, example: 'gemini-2.5-flash' },
    ],
    responses: {
      '200': jsonAnswer("The model in the caller's form.", { type: 'object' }, openaiModel),
      ...errorAnswers('openai'),
    },
  },
};

export const openaiPaths: OpenApiObject = {
  '/v1/chat/completions': chat,
  '/v1/embeddings': embeddings,
  '/v1/models': models,
  '/v1/models/{model}': model,
};
