import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errors } from '../errors/app-error.ts';
import type { AdminContext } from './admin-context.ts';
import { isSameOriginJson, readCookie, sessionCookie, setSessionCookie } from './admin-guard.ts';

const signInBody = z.object({ token: z.string().max(4096) });

/** Sign-in and sign-out of the dashboard: the admin token once, then an HttpOnly session cookie. */
export async function sessionRoutes(app: FastifyInstance, context: AdminContext): Promise<void> {
  const { sessions } = context;
  app.post('/admin/api/session', { config: { public: true }, bodyLimit: 8192 }, async (request, reply) => {
    if (!sessions.enabled) throw errors.adminDisabled();
    if (!isSameOriginJson(request)) throw errors.crossSite();
    const address = request.ip;
    const locked = sessions.lockedFor(address);
    if (locked > 0) {
      throw errors.tooManySignIns(locked);
    }
    const parsed = signInBody.safeParse(request.body);
    const verdict = sessions.signIn(address, parsed.success ? parsed.data.token : undefined);
    if (!verdict.ok) {
      await sleep(verdict.delayMs);
      throw errors.wrongAdminToken();
    }
    setSessionCookie(request, reply, verdict.session, Math.floor(sessions.sessionMs / 1000));
    return { signedIn: true, expiresAt: verdict.expiresAt };
  });

  app.get('/admin/api/session', { config: { public: true } }, async () => {
    return { enabled: sessions.enabled };
  });

  app.delete('/admin/api/session', { config: { public: true } }, async (request, reply) => {
    if (!isSameOriginJson(request)) throw errors.crossSite();
    sessions.signOut(readCookie(request, sessionCookie));
    setSessionCookie(request, reply, '', 0);
    return { signedIn: false };
  });
}
