import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { type OpenApiObject, securitySchemes } from './operation.ts';

type Catalogues = typeof import('./catalogues.ts');

const description = `Many Gemini API keys behind one endpoint. Native Gemini calls pass through unchanged with a pool key; OpenAI clients are translated.

**Authorize** with a client token (one of \`ALLOWED_TOKENS\`): Gemini clients send it as \`x-goog-api-key\` or \`?key=\`, OpenAI clients as \`Authorization: Bearer\`, Anthropic clients as \`x-api-key\` (or Bearer); any of the first three works on native routes. When \`ALLOWED_TOKENS\` is empty the service answers loopback callers without a token.

Settings for the usual clients (SDKs, Gemini CLI, chat apps): docs/CLIENTS.md in the repository.`;

/** Routes documented by hand (the catalogues in this folder) or not worth a line: kept out of the generated list. */
function documentedByHand(url: string, method: readonly string[]): boolean {
  if (!method.some((name) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(name))) return true;
  if (/^\/(v1beta|v1|v1alpha|upload)\/\*$/.test(url)) return true;
  if (url.startsWith('/openai/v1/') || /^\/v1\/(messages|responses|images|audio)\b/.test(url)) return true;
  return ['/v1/chat/completions', '/v1/embeddings', '/v1/models', '/v1/models/:model'].includes(url);
}

/** The OpenAPI document at `/docs/json` and the page at `/docs`: open to all, they describe and do not forward. */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  // The hand-written catalogues build their JSON Schemas from zod as they load (~5 MiB of heap, and
  // zod's converter): loaded by the first docs request, before the document is built.
  let catalogues: Catalogues | undefined;
  const loadCatalogues = async () => {
    catalogues ??= await import('./catalogues.ts');
  };
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Gemini Balance', description, version: '0.1.0' },
      tags: [
        {
          name: 'Gemini API',
          description: 'The Gemini API, passed through: point Gemini SDKs at this origin.',
        },
        { name: 'OpenAI API', description: 'OpenAI clients: base URL `<origin>/v1`.' },
        { name: 'Anthropic API', description: 'Claude Code and Anthropic SDKs: base URL `<origin>`.' },
        { name: 'service', description: 'The service itself.' },
        {
          name: 'Admin API',
          description:
            'For the operator: `Authorization: Bearer` with ADMIN_TOKEN (not a client token), or the dashboard session.',
        },
      ],
      components: { securitySchemes },
    },
    transform: ({ schema, url, route }) => {
      const methods = [route.method].flat().map(String);
      if (documentedByHand(url, methods)) return { schema: { ...schema, hide: true }, url };
      // The operator's API answers to ADMIN_TOKEN (or the dashboard's session), not a client token.
      if (url.startsWith('/admin/api/'))
        return { schema: { tags: ['Admin API'], security: [{ bearer: [] }], ...schema }, url };
      return { schema, url };
    },
    transformObject: (documents) => {
      const document = (
        'openapiObject' in documents ? documents.openapiObject : documents.swaggerObject
      ) as OpenApiObject;
      const components = (document.components ?? {}) as OpenApiObject;
      if (catalogues === undefined) throw new Error('The docs catalogues are loaded by the docs routes.');
      return {
        ...document,
        paths: { ...catalogues.handWrittenPaths, ...(document.paths as OpenApiObject) },
        components: {
          ...components,
          schemas: { ...(components.schemas as OpenApiObject), ...catalogues.geminiSchemas },
        },
      } as typeof document;
    },
  });
  // The docs pages are readable without a token: they describe, they do not forward.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/docs')) return;
    route.config = { ...route.config, public: true };
    route.onRequest = [route.onRequest ?? []].flat().concat(loadCatalogues);
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: {
      // No top bar (the framework's logo and a URL box): the page is about this API.
      layout: 'BaseLayout',
      deepLinking: true,
      persistAuthorization: true,
      displayRequestDuration: true,
      docExpansion: 'list',
      defaultModelsExpandDepth: 0,
      supportedSubmitMethods: ['get', 'post', 'put', 'patch', 'delete'],
    },
    theme: { title: 'Gemini Balance API' },
  });
}
