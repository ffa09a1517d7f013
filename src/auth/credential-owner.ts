import type { IncomingHttpHeaders } from 'node:http';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { readCredential } from './client-auth.ts';

/**
 * Whose per-client state this is (thought signatures): the client token's fingerprint, never the
 * token; one shared owner when the service runs without tokens.
 */
export function credentialOwner(headers: IncomingHttpHeaders): string {
  const credential = readCredential(headers, new URLSearchParams());
  return credential === undefined ? 'anonymous' : fingerprintKey(credential.value);
}
