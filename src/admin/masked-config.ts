import type { Config } from '../config/config.ts';
import { fingerprintKey } from '../secrets/fingerprint.ts';

/** `http://user:secret@proxy:8080` → `http://user:***@proxy:8080`. */
function maskUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '***';
  }
}

/**
 * The effective configuration as the settings page shows it: every secret masked (keys by
 * fingerprint, client tokens by name, the admin and encryption keys as set or not, proxy passwords
 * starred).
 */
export function maskedConfig(config: Config): Record<string, unknown> {
  const { keys, allowedTokens, clientTokens, adminToken, encryptionKey, proxyUrl, proxyUrls, ...plain } =
    config;
  return {
    ...plain,
    keys: { count: keys.length, fingerprints: keys.map(fingerprintKey) },
    clientTokens: clientTokens.map((client) => client.name),
    allowedTokens: `${allowedTokens.length} configured`,
    adminToken: adminToken === undefined ? 'not set' : 'set',
    encryptionKey: encryptionKey === undefined ? 'not set (keys added at runtime last until restart)' : 'set',
    proxyUrl: maskUrl(proxyUrl),
    proxyUrls: proxyUrls.map(maskUrl),
  };
}
