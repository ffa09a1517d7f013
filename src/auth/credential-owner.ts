import type { IncomingHttpHeaders } from 'node:http';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { readCredential } from './client-auth.ts';

/**
 * Whose per-client state this is (thought signatures, stored responses): the fingerprint of the
 * client token however it was sent (header, bearer or `?key=`), never the token itself. Without
 * configured tokens only loopback callers get in, and they share one owner.
 */
export function credentialOwner(request: { headers: IncomingHttpHeaders; url: string }): string {
  const query = new URL(request.url, 'http://local').searchParams;
  const credential = readCredential(request.headers, query);
  return credential === undefined ? 'anonymous' : fingerprintKey(credential.value);
}
