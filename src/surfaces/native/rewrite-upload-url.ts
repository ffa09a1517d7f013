import { type UploadSession, uploadSessionOf } from '../../dispatch/resource-affinity.ts';

/**
 * The upstream's `x-goog-upload-url` points at Google; clients must come back to us instead. The
 * path and query are kept (never a key in them), only the origin changes.
 */
export function rewriteUploadUrl(
  uploadUrl: string,
  publicOrigin: string,
): { url: string; session: UploadSession | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(uploadUrl);
  } catch {
    return { url: uploadUrl, session: undefined };
  }
  parsed.searchParams.delete('key');
  const path = `${parsed.pathname}${parsed.search}`;
  return { url: `${publicOrigin}${path}`, session: uploadSessionOf(path) };
}
