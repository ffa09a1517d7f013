import type { FastifyRequest } from 'fastify';
import { readCredential } from '../../../auth/client-auth.ts';
import { fingerprintKey } from '../../../secrets/fingerprint.ts';

/**
 * Whose stored responses a request may see: the fingerprint of its client token (never the token
 * itself). Without configured tokens only loopback callers get in, and they share one scope.
 */
export function clientScope(request: FastifyRequest): string {
  const credential = readCredential(request.headers, new URL(request.url, 'http://local').searchParams);
  return credential === undefined ? 'loopback' : fingerprintKey(credential.value);
}
