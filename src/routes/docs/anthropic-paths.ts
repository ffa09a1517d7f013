import {
  countTokensRequestSchema,
  messageRequestSchema,
} from '../../surfaces/anthropic/schema/message-request-schema.ts';
import { jsonAnswer, jsonBody, jsonSchemaOf, type OpenApiObject } from './operation.ts';

const tag = 'Anthropic API';
const security = [{ anthropicKey: [] }, { bearer: [] }];
const translated =
  "Translated to the Gemini API and back (Claude Code, the Anthropic SDKs); `model` is a Gemini model name or an alias from MODEL_ALIASES. The pool, retries and errors as for native calls, errors in Anthropic's format.";

const request = {
  model: 'gemini-2.5-flash',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Hello' }],
};
const answer = {
  id: 'msg_4f1c2a',
  type: 'message',
  role: 'assistant',
  model: 'gemini-2.5-flash',
  content: [{ type: 'text', text: 'Hello! How can I help you today?' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 9 },
};
const message = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { const: 'message' },
    role: { const: 'assistant' },
    model: { type: 'string' },
    content: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' } } } },
    stop_reason: { type: ['string', 'null'] },
    usage: {
      type: 'object',
      properties: { input_tokens: { type: 'integer' }, output_tokens: { type: 'integer' } },
    },
  },
};
const errorAnswer = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          type: { const: 'error' },
          error: { type: 'object', properties: { type: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
});
const errors = {
  '400': errorAnswer('The request is malformed (`invalid_request_error`).'),
  '401': errorAnswer('Missing or wrong client token (`authentication_error`).'),
  '429': errorAnswer('Every key is cooling down for this model (`rate_limit_error`).'),
  '502': errorAnswer('The upstream could not be reached (`api_error`).'),
  '503': errorAnswer('Every key is disabled (`overloaded_error`).'),
};

const messages = {
  post: {
    tags: [tag],
    operationId: 'createMessage',
    summary: 'Create a message',
    description: `Anthropic Messages: text, images, documents, tools, thinking; \`"stream": true\` answers in Anthropic's server-sent events (with pings). ${translated}`,
    security,
    requestBody: jsonBody(jsonSchemaOf(messageRequestSchema), request),
    responses: {
      '200': {
        description: 'The message (JSON), or with `"stream": true` its events.',
        content: {
          'application/json': { schema: message, example: answer },
          'text/event-stream': {
            schema: { type: 'string' },
            example:
              'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_4f1c2a","type":"message","role":"assistant","content":[],"model":"gemini-2.5-flash","usage":{"input_tokens":1,"output_tokens":0}}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello!"}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n',
          },
        },
      },
      ...errors,
    },
  },
};

const countTokens = {
  post: {
    tags: [tag],
    operationId: 'countMessageTokens',
    summary: 'Count tokens in a message',
    description: `Gemini's own count (\`:countTokens\`) for the translated request. ${translated}`,
    security,
    requestBody: jsonBody(jsonSchemaOf(countTokensRequestSchema), {
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'Hello' }],
    }),
    responses: {
      '200': jsonAnswer(
        'The count.',
        { type: 'object', properties: { input_tokens: { type: 'integer' } } },
        { input_tokens: 1 },
      ),
      ...errors,
    },
  },
};

export const anthropicPaths: OpenApiObject = {
  '/v1/messages': messages,
  '/v1/messages/count_tokens': countTokens,
};
