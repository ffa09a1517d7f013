/** Signatures of the image formats Gemini reads. */
const signatures: Array<{ mimeType: string; matches: (bytes: Buffer) => boolean }> = [
  {
    mimeType: 'image/png',
    matches: (bytes) => bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')),
  },
  { mimeType: 'image/jpeg', matches: (bytes) => bytes.subarray(0, 3).equals(Buffer.from('ffd8ff', 'hex')) },
  { mimeType: 'image/gif', matches: (bytes) => bytes.subarray(0, 4).toString('latin1') === 'GIF8' },
  {
    mimeType: 'image/webp',
    matches: (bytes) =>
      bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
      bytes.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

/**
 * The image's media type: the server's `Content-Type` when it names an image, else what the bytes
 * look like (servers often say `application/octet-stream`); undefined when it is not an image.
 */
export function sniffImageType(contentType: string | undefined, bytes: Buffer): string | undefined {
  const declared = contentType?.split(';')[0]?.trim().toLowerCase();
  if (declared?.startsWith('image/') === true) return declared;
  return signatures.find((signature) => signature.matches(bytes))?.mimeType;
}
