/** A base64 `data:` URL split into what Gemini's `inlineData` wants; undefined when it is not one. */
export function parseDataUrl(url: string): { mimeType: string; data: string } | undefined {
  const match = /^data:([^;,]+)(?:;[^;,=]+=[^;,]*)*;base64,(.*)$/s.exec(url);
  if (match === null || match[1] === undefined || match[2] === undefined) return undefined;
  return { mimeType: match[1].toLowerCase(), data: match[2] };
}
