import { type ZodType, z } from 'zod';

/** A JSON value as it appears in an OpenAPI document. */
export type OpenApiObject = { [key: string]: unknown };

/** Who may call: the client token in any of Gemini's three forms, or only OpenAI's bearer form. */
export const nativeSecurity = [{ googApiKey: [] }, { keyQuery: [] }, { bearer: [] }];
export const openaiSecurity = [{ bearer: [] }];

export const securitySchemes = {
  googApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-goog-api-key',
    description: 'A client token from ALLOWED_TOKENS (never a Gemini key: those stay in the pool).',
  },
  keyQuery: { type: 'apiKey', in: 'query', name: 'key', description: 'The client token as `?key=`.' },
  anthropicKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'The client token as Anthropic clients send it.',
  },
  bearer: { type: 'http', scheme: 'bearer', description: 'The client token as `Authorization: Bearer`.' },
} as const;

/** JSON Schema (2020-12, what OpenAPI 3.1 uses) of what a zod schema accepts. */
export function jsonSchemaOf(schema: ZodType): OpenApiObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

export function jsonBody(schema: OpenApiObject, example: unknown): OpenApiObject {
  return { required: true, content: { 'application/json': { schema, example } } };
}

export function jsonAnswer(description: string, schema: OpenApiObject, example: unknown): OpenApiObject {
  return { description, content: { 'application/json': { schema, example } } };
}

/** The errors every forwarding route can answer, in the format named. */
export function errorAnswers(format: 'gemini' | 'openai'): OpenApiObject {
  const schema =
    format === 'gemini'
      ? {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                code: { type: 'integer' },
                message: { type: 'string' },
                status: { type: 'string' },
              },
            },
          },
        }
      : {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                message: { type: 'string' },
                type: { type: 'string' },
                param: { type: ['string', 'null'] },
                code: { type: ['string', 'null'] },
              },
            },
          },
        };
  const answer = (description: string) => ({ description, content: { 'application/json': { schema } } });
  return {
    '400': answer('The request is malformed (upstream errors come back unchanged).'),
    '401': answer('Missing or wrong client token; the upstream was not called.'),
    '429': answer('Every key is cooling down for this model; `Retry-After` says when one frees up.'),
    '502': answer('The upstream could not be reached (after trying other keys).'),
    '503': answer('Every key is disabled.'),
  };
}

export const modelParameter = {
  name: 'model',
  in: 'path',
  required: true,
  description: 'A Gemini model name, e.g. `gemini-2.5-flash` (without `models/`).',
  schema: { type: 'string' },
  example: 'gemini-2.5-flash',
};
