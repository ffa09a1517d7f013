import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../errors/app-error.ts';
import type { AdminSessions } from './admin-sessions.ts';

export const sessionCookie = 'gb_admin_session';

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

function bearer(request: FastifyRequest): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
}

/** Signed in by the dashboard's session cookie or by ADMIN_TOKEN as a bearer token. */
export function isAdmin(request: FastifyRequest, sessions: AdminSessions): boolean {
  const token = bearer(request);
  if (token !== undefined) return sessions.isAdminToken(token);
  return sessions.check(readCookie(request, sessionCookie)) !== undefined;
}

/**
 * A cross-site form post must not act: actions take `application/json` only (a form cannot send
 * it without a CORS preflight we never grant), and when the browser says where the request came
 * from (Origin, Sec-Fetch-Site), it must be this origin. The cookie is SameSite=Strict besides.
 */
export function isSameOriginJson(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) return false;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

/** The preHandler every admin API route runs. */
export function adminGuard(sessions: AdminSessions) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!sessions.enabled) throw errors.adminDisabled();
    if (!isAdmin(request, sessions)) throw errors.adminUnauthenticated();
    const unsafe = request.method !== 'GET' && request.method !== 'HEAD';
    if (unsafe && !isSameOriginJson(request)) throw errors.crossSite();
  };
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  value: string,
  maxAgeSeconds: number,
): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header(
    'set-cookie',
    `${sessionCookie}=${value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`,
  );
}
