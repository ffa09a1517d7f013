import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../errors/app-error.ts';
import type { ServiceMetrics } from './service-metrics.ts';

function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * A direct connection from this machine (not one relayed by a reverse proxy, which would carry
 * X-Forwarded-For or Forwarded).
 */
export function isDirectLoopback(request: FastifyRequest): boolean {
  const relayed = request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
  return !relayed && isLoopbackAddress(request.socket.remoteAddress);
}

/**
 * `GET /metrics` in Prometheus text. Open on loopback; from elsewhere it takes the admin token
 * (`Authorization: Bearer`), unless METRICS_PUBLIC=true.
 */
export async function metricsRoute(
  app: FastifyInstance,
  options: { metrics: ServiceMetrics; isAdminToken: (token: string | undefined) => boolean; open: boolean },
): Promise<void> {
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    if (!options.open && !isDirectLoopback(request)) {
      const token = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
      if (!options.isAdminToken(token)) throw errors.metricsUnauthenticated();
    }
    return reply.type(options.metrics.contentType).send(await options.metrics.text());
  });
}
