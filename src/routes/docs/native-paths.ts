import { schemaRef } from './gemini-schemas.ts';
import {
  errorAnswers,
  jsonAnswer,
  jsonBody,
  modelParameter,
  nativeSecurity,
  type OpenApiObject,
} from './operation.ts';

const tag = 'Gemini API';
const passed =
  'Forwarded to Gemini with a pool key; the answer comes back unchanged (status, content type, bytes). A quota error, dead key or 5xx is retried on another key.';

const helloRequest = { contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] };
const helloAnswer = {
  candidates: [
    {
      content: { role: 'model', parts: [{ text: 'Hello! How can I help you today?' }] },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 9, totalTokenCount: 10 },
  modelVersion: 'gemini-2.5-flash',
};
const streamChunk = (text: string) => ({ candidates: [{ content: { role: 'model', parts: [{ text }] } }] });

function modelCall(
  method: string,
  summary: string,
  description: string,
  extra: OpenApiObject,
): OpenApiObject {
  return {
    post: {
      tags: [tag],
      operationId: method,
      summary,
      description: `${description}\n\n${passed}`,
      security: nativeSecurity,
      parameters: [modelParameter],
      ...extra,
      responses: { ...(extra.responses as OpenApiObject), ...errorAnswers('gemini') },
    },
  };
}

const generate = modelCall(
  'generateContent',
  'Generate content',
  'One answer for a conversation: text, images, function calls, structured output (`generationConfig.responseJsonSchema`).',
  {
    requestBody: jsonBody(schemaRef('GenerateContentRequest'), helloRequest),
    responses: { '200': jsonAnswer('The answer.', schemaRef('GenerateContentResponse'), helloAnswer) },
  },
);

const stream = modelCall(
  'streamGenerateContent',
  'Generate content, streamed',
  'The answer in pieces as they are made. With `?alt=sse`: server-sent events, one `data:` line per GenerateContentResponse (what the SDKs use). Without it: one JSON array, its elements arriving as they are made.',
  {
    parameters: [
      modelParameter,
      {
        name: 'alt',
        in: 'query',
        required: false,
        description: '`sse` for server-sent events; leave out for a streamed JSON array.',
        schema: { type: 'string', enum: ['sse'] },
        example: 'sse',
      },
    ],
    requestBody: jsonBody(schemaRef('GenerateContentRequest'), helloRequest),
    responses: {
      '200': {
        description: 'The stream, in the form `alt` chose.',
        content: {
          'text/event-stream': {
            schema: { type: 'string' },
            example: `data: ${JSON.stringify(streamChunk('Hello!'))}\r\n\r\ndata: ${JSON.stringify(helloAnswer)}\r\n\r\n`,
          },
          'application/json': {
            schema: { type: 'array', items: schemaRef('GenerateContentResponse') },
            example: [streamChunk('Hello!'), helloAnswer],
          },
        },
      },
    },
  },
);

const countTokens = modelCall(
  'countTokens',
  'Count tokens',
  'How many tokens `contents` (or a whole `generateContentRequest`) would cost.',
  {
    requestBody: jsonBody(schemaRef('CountTokensRequest'), helloRequest),
    responses: {
      '200': jsonAnswer('The count.', schemaRef('CountTokensResponse'), {
        totalTokens: 1,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 1 }],
      }),
    },
  },
);

const embedModel = { ...modelParameter, example: 'gemini-embedding-001' };
const embed = modelCall('embedContent', 'Embed content', 'One embedding vector for one content.', {
  parameters: [embedModel],
  requestBody: jsonBody(schemaRef('EmbedContentRequest'), {
    content: { parts: [{ text: 'Hello' }] },
    outputDimensionality: 4,
  }),
  responses: {
    '200': jsonAnswer('The vector.', schemaRef('EmbedContentResponse'), {
      embedding: { values: [0.0123, -0.0456, 0.0789, 0.0012] },
    }),
  },
});

const batchEmbed = modelCall(
  'batchEmbedContents',
  'Embed several contents',
  'One vector per request, in order.',
  {
    parameters: [embedModel],
    requestBody: jsonBody(schemaRef('BatchEmbedContentsRequest'), {
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'Hello' }] } },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'World' }] } },
      ],
    }),
    responses: {
      '200': jsonAnswer('The vectors.', schemaRef('BatchEmbedContentsResponse'), {
        embeddings: [{ values: [0.0123, -0.0456] }, { values: [0.0789, 0.0012] }],
      }),
    },
  },
);

const exampleModel = {
  name: 'models/gemini-2.5-flash',
  displayName: 'Gemini 2.5 Flash',
  inputTokenLimit: 1048576,
  outputTokenLimit: 65536,
  supportedGenerationMethods: ['generateContent', 'countTokens'],
};

const listModels = {
  get: {
    tags: [tag],
    operationId: 'listModels',
    summary: 'List models',
    description: `The models the pool's keys can use. ${passed}`,
    security: nativeSecurity,
    parameters: [
      { name: 'pageSize', in: 'query', required: false, schema: { type: 'integer' }, example: 50 },
      { name: 'pageToken', in: 'query', required: false, schema: { type: 'string' } },
    ],
    responses: {
      '200': jsonAnswer('One page of models.', schemaRef('ListModelsResponse'), { models: [exampleModel] }),
      ...errorAnswers('gemini'),
    },
  },
};

const getModel = {
  get: {
    tags: [tag],
    operationId: 'getModel',
    summary: 'Get a model',
    description: `One model's limits and methods. ${passed}`,
    security: nativeSecurity,
    parameters: [modelParameter],
    responses: {
      '200': jsonAnswer('The model.', schemaRef('Model'), exampleModel),
      ...errorAnswers('gemini'),
    },
  },
};

const upload = {
  post: {
    tags: [tag],
    operationId: 'uploadFile',
    summary: 'Upload a file (resumable: start)',
    description:
      "Starts a resumable upload, as `@google/genai` `files.upload` does. The answer's `x-goog-upload-url` header points back at this service; send the bytes there with `x-goog-upload-command: upload, finalize` and `x-goog-upload-offset: 0` (that URL is the capability for this one upload, no token needed). The file's later uses (`fileData.fileUri`) go to the key that created it. Multipart uploads (`uploadType=multipart`) pass through too.",
    security: nativeSecurity,
    parameters: [
      {
        name: 'x-goog-upload-protocol',
        in: 'header',
        required: true,
        schema: { type: 'string', enum: ['resumable'] },
        example: 'resumable',
      },
      {
        name: 'x-goog-upload-command',
        in: 'header',
        required: true,
        schema: { type: 'string', enum: ['start'] },
        example: 'start',
      },
      {
        name: 'x-goog-upload-header-content-length',
        in: 'header',
        required: true,
        schema: { type: 'integer' },
        example: 5,
      },
      {
        name: 'x-goog-upload-header-content-type',
        in: 'header',
        required: true,
        schema: { type: 'string' },
        example: 'text/plain',
      },
    ],
    requestBody: jsonBody(
      {
        type: 'object',
        properties: { file: { type: 'object', properties: { displayName: { type: 'string' } } } },
      },
      { file: { displayName: 'hello.txt' } },
    ),
    responses: {
      '200': {
        description: 'Upload session opened: send the bytes to `x-goog-upload-url`.',
        headers: {
          'x-goog-upload-url': {
            schema: { type: 'string' },
            description: 'Where the bytes go (this service).',
          },
        },
      },
      ...errorAnswers('gemini'),
    },
  },
};

const live = {
  get: {
    tags: [tag],
    operationId: 'liveWebSocket',
    summary: 'Live API (WebSocket)',
    description:
      'A WebSocket (`ws://`, `wss://` behind TLS): upgrade with the client token as `?key=` (or `x-goog-api-key`), as `@google/genai` `live.connect` does. The first frame is the setup message (`{"setup":{"model":"models/gemini-live-2.5-flash-preview"}}`); frames then pass both ways unchanged, with one pool key for the whole session. A browser page here cannot open it: use an SDK or a WebSocket client, e.g. `npx wscat -c "ws://localhost:8000/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=TOKEN"`.',
    security: [{ keyQuery: [] }, { googApiKey: [] }],
    responses: {
      '101': { description: 'Switching protocols: the session is open.' },
      '401': { description: 'Missing or wrong client token (the upgrade is refused).' },
    },
  },
};

/** One entry per API version for everything else under it (files, caches, batches, tuned models...). */
function passThrough(version: string): OpenApiObject {
  return {
    post: {
      tags: [tag],
      operationId: `passThrough_${version}`,
      summary: `Any other ${version} call (any method)`,
      description: `Every method (GET, POST, PATCH, DELETE...) under \`/${version}/\` not listed above goes to Gemini as it came: same method, path, query and body. ${passed} Calls naming a file, cached content or batch are served with the key that created it.`,
      security: nativeSecurity,
      parameters: [
        {
          name: 'path',
          in: 'path',
          required: true,
          schema: { type: 'string' },
          example: 'files',
          description: 'The rest of the path.',
        },
      ],
      responses: { '200': { description: "Gemini's answer, unchanged." }, ...errorAnswers('gemini') },
    },
  };
}

export const nativePaths: OpenApiObject = {
  '/v1beta/models/{model}:generateContent': generate,
  '/v1beta/models/{model}:streamGenerateContent': stream,
  '/v1beta/models/{model}:countTokens': countTokens,
  '/v1beta/models/{model}:embedContent': embed,
  '/v1beta/models/{model}:batchEmbedContents': batchEmbed,
  '/v1beta/models': listModels,
  '/v1beta/models/{model}': getModel,
  '/upload/v1beta/files': upload,
  '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent': live,
  '/v1beta/{path}': passThrough('v1beta'),
  '/v1/{path}': passThrough('v1'),
  '/v1alpha/{path}': passThrough('v1alpha'),
};
