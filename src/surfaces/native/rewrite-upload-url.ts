/**
 * The upstream's `x-goog-upload-url` points at Google; clients must come back to us instead. The
 * path and query are kept (never a key in them), only the origin changes.
 */
export function rewriteUploadUrl(
  uploadUrl: string,
  publicOrigin: string,
): { url: string; uploadId: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(uploadUrl);
  } catch {
    return { url: uploadUrl, uploadId: null };
  }
  parsed.searchParams.delete('key');
  return {
    url: `${publicOrigin}${parsed.pathname}${parsed.search}`,
    uploadId: parsed.searchParams.get('upload_id'),
  };
}
