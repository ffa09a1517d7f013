import { responsesRequestSchema } from '../../surfaces/responses/schema/request-schema.ts';
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
  "Translated to the Gemini API and back (Codex CLI, the OpenAI SDKs' `responses`); `model` is a Gemini model name or an alias from MODEL_ALIASES. The pool, retries and errors as for native calls (errors in OpenAI's format). Also under `/openai/v1/…`.";

const request = { model: 'gemini-2.5-flash', input: 'Hello', instructions: 'Answer briefly.' };
const answer = {
  id: 'resp_4f1c2a',
  object: 'response',
  created_at: 1764547200,
  status: 'completed',
  background: false,
  error: null,
  incomplete_details: null,
  instructions: 'Answer briefly.',
  max_output_tokens: null,
  model: 'gemini-2.5-flash',
  output: [
    {
      id: 'msg_4f1c2a_0',
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'Hello! How can I help?', annotations: [], logprobs: [] }],
    },
  ],
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  store: true,
  temperature: null,
  text: { format: { type: 'text' } },
  tool_choice: 'auto',
  tools: [],
  top_p: null,
  truncation: 'disabled',
  usage: {
    input_tokens: 4,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 7,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 11,
  },
  user: null,
  metadata: {},
};
const nullable = (type: string) => ({ type: [type, 'null'] });
const responseObject = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { const: 'response' },
    created_at: { type: 'integer' },
    status: { type: 'string', enum: ['in_progress', 'completed', 'incomplete', 'failed', 'cancelled'] },
    error: {
      type: ['object', 'null'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
    incomplete_details: { type: ['object', 'null'], properties: { reason: { type: 'string' } } },
    instructions: nullable('string'),
    model: { type: 'string' },
    output: {
      type: 'array',
      description:
        'Items in order: `reasoning`, `message`, `function_call`, `web_search_call`, `image_generation_call`.',
      items: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' } } },
    },
    previous_response_id: nullable('string'),
    store: { type: 'boolean' },
    tools: { type: 'array', items: { type: 'object' } },
    usage: {
      type: ['object', 'null'],
      properties: {
        input_tokens: { type: 'integer' },
        output_tokens: { type: 'integer' },
        total_tokens: { type: 'integer' },
      },
    },
    metadata: { type: 'object', additionalProperties: { type: 'string' } },
  },
};
const streamExample = [
  { type: 'response.created', sequence_number: 0, response: { id: 'resp_4f1c2a', status: 'in_progress' } },
  {
    type: 'response.output_text.delta',
    sequence_number: 4,
    item_id: 'msg_4f1c2a_0',
    output_index: 0,
    content_index: 0,
    delta: 'Hello!',
    logprobs: [],
  },
  { type: 'response.completed', sequence_number: 9, response: { id: 'resp_4f1c2a', status: 'completed' } },
]
  .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
  .join('');

const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The `id` of a response created with `store` (the default), by the same client token.',
  schema: { type: 'string' },
  example: 'resp_4f1c2a',
};
const stored =
  'Stored responses belong to the client token that created them; another token gets a 404. They feed `previous_response_id`.';

const create = {
  post: {
    tags: [tag],
    operationId: 'createResponse',
    summary: 'Create a model response',
    description: `OpenAI Responses: \`input\` as a string or items (messages, function calls and their outputs, reasoning, item references), function and web-search tools, \`text.format\` for structured output, \`reasoning.effort\`, \`previous_response_id\` to continue a stored conversation; \`"stream": true\` answers in server-sent events (\`event:\` + \`data:\`, each with \`sequence_number\`). \`background: true\` is a 400. ${translated}`,
    security: openaiSecurity,
    requestBody: jsonBody(jsonSchemaOf(responsesRequestSchema), request),
    responses: {
      '200': {
        description: 'The response object (JSON), or with `"stream": true` its events.',
        content: {
          'application/json': { schema: responseObject, example: answer },
          'text/event-stream': { schema: { type: 'string' }, example: streamExample },
        },
      },
      ...errorAnswers('openai'),
    },
  },
};

const openaiErrors = errorAnswers('openai');
const missing = {
  ...(openaiErrors['401'] as OpenApiObject),
  description: 'No stored response with this id for this client token.',
};

const byId = {
  get: {
    tags: [tag],
    operationId: 'getResponse',
    summary: 'Get a stored response',
    description: stored,
    security: openaiSecurity,
    parameters: [idParameter],
    responses: {
      '200': jsonAnswer('The response object as it was answered.', responseObject, answer),
      '401': openaiErrors['401'],
      '404': missing,
    },
  },
  delete: {
    tags: [tag],
    operationId: 'deleteResponse',
    summary: 'Delete a stored response',
    description: stored,
    security: openaiSecurity,
    parameters: [idParameter],
    responses: {
      '200': jsonAnswer(
        'Deleted.',
        {
          type: 'object',
          properties: { id: { type: 'string' }, object: { const: 'response' }, deleted: { const: true } },
        },
        { id: 'resp_4f1c2a', object: 'response', deleted: true },
      ),
      '401': openaiErrors['401'],
      '404': missing,
    },
  },
};

const cancel = {
  post: {
    tags: [tag],
    operationId: 'cancelResponse',
    summary: 'Cancel a response',
    description: `Only background responses can be cancelled, and this service answers every request in the foreground: a stored response gets a 400 saying so, an unknown id a 404. ${stored}`,
    security: openaiSecurity,
    parameters: [idParameter],
    responses: {
      '400': openaiErrors['400'],
      '401': openaiErrors['401'],
      '404': missing,
    },
  },
};

export const responsesPaths: OpenApiObject = {
  '/v1/responses': create,
  '/v1/responses/{id}': byId,
  '/v1/responses/{id}/cancel': cancel,
};
