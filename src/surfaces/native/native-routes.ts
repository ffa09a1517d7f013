import type { FastifyInstance } from 'fastify';
import { forwardNative, type NativeDependencies } from './forward-native.ts';

/** Every Gemini API version prefix we forward; `/upload/` carries the file-upload protocol. */
export const nativePrefixes = ['/v1beta/', '/v1/', '/v1alpha/', '/upload/'] as const;

/**
 * The native surface: every method under the Gemini prefixes goes upstream as it came. Bodies are
 * not parsed here: the content-type parser hands the raw stream on, so bytes pass untouched.
 */
export async function nativeRoutes(app: FastifyInstance, dependencies: NativeDependencies): Promise<void> {
  app.removeAllContentTypeParsers();
  const passOn = (_request: unknown, _payload: unknown, done: (error: null) => void) => done(null);
  app.addContentTypeParser('*', passOn);
  // The same, named: Fastify caches the parser it finds for a named type, while the catch-all is
  // looked up anew (the header parsed) on every request.
  app.addContentTypeParser('application/json', passOn);
  for (const prefix of nativePrefixes) {
    app.all(
      `${prefix}*`,
      {
        schema: {
          summary: `Gemini API pass-through (${prefix}…)`,
          description:
            'Forwarded to GEMINI_BASE_URL with the same method, path, query and body, a pool key in x-goog-api-key; the answer comes back unchanged (status, content type, bytes), streams chunk by chunk.',
          tags: ['native'],
        },
      },
      (request, reply) => forwardNative(request, reply, dependencies),
    );
  }
}
