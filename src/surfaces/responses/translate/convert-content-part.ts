import { errors } from '../../../errors/app-error.ts';
import type { GeminiPart } from '../../../gemini/types.ts';
import type { FetchedImage } from '../../../media/fetch-remote-image.ts';
import { isGeminiReadableUrl } from '../../../media/is-gemini-readable-url.ts';
import { parseDataUrl } from '../../../media/parse-data-url.ts';
import type { MessageContentPart } from '../schema/input-item-schema.ts';

/** The http(s) images the route fetched before translation, by URL: Gemini cannot read arbitrary URLs. */
export type FetchedImages = ReadonlyMap<string, FetchedImage>;

const filesApiBase = 'https://generativelanguage.googleapis.com/v1beta/';

/** One content part of an input message → a Gemini part; `param` is e.g. `input[2].content[0]`. */
export function convertContentPart(
  part: MessageContentPart,
  images: FetchedImages,
  param: string,
): GeminiPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { text: part.text };
    case 'refusal':
      return { text: part.refusal };
    case 'input_image':
      if (part.image_url !== null && part.image_url !== undefined)
        return convertUrl(part.image_url, images, `${param}.image_url`);
      if (part.file_id !== null && part.file_id !== undefined) return fileReference(part.file_id);
      throw errors.invalidArgument('An input_image needs an image_url or a file_id.', param);
    case 'input_file':
      return convertFile(part, param);
  }
}

function convertUrl(url: string, images: FetchedImages, param: string): GeminiPart {
  const inline = parseDataUrl(url);
  if (inline !== undefined) return { inlineData: inline };
  if (isGeminiReadableUrl(url)) return { fileData: { fileUri: url } };
  const fetched = images.get(url);
  if (fetched !== undefined) return { inlineData: { mimeType: fetched.mimeType, data: fetched.data } };
  throw errors.invalidArgument('Expected a base64 data URL or an http(s) URL.', param);
}

function convertFile(part: Extract<MessageContentPart, { type: 'input_file' }>, param: string): GeminiPart {
  if (part.file_data !== null && part.file_data !== undefined) {
    const inline = parseDataUrl(part.file_data);
    if (inline !== undefined) return { inlineData: inline };
    if (part.filename?.toLowerCase().endsWith('.pdf') === true)
      return { inlineData: { mimeType: 'application/pdf', data: part.file_data } };
    throw errors.invalidArgument(
      'Expected a base64 data URL, or a filename that names a PDF.',
      `${param}.file_data`,
    );
  }
  if (part.file_id !== null && part.file_id !== undefined) return fileReference(part.file_id);
  if (part.file_url !== null && part.file_url !== undefined && isGeminiReadableUrl(part.file_url))
    return { fileData: { fileUri: part.file_url } };
  throw errors.invalidArgument(
    'An input_file needs file_data, a file_id or a Gemini-readable file_url.',
    param,
  );
}

/** Gemini Files API names look like `files/abc123`; a full URI passes as is. */
function fileReference(id: string): GeminiPart {
  if (/^https:\/\//.test(id)) return { fileData: { fileUri: id } };
  return { fileData: { fileUri: `${filesApiBase}${id.startsWith('files/') ? id : `files/${id}`}` } };
}

/** Every distinct http(s) image URL in the input that the route must fetch before translation. */
export function collectImageUrls(parts: Iterable<MessageContentPart>): string[] {
  const urls = new Set<string>();
  for (const part of parts) {
    if (part.type !== 'input_image' || typeof part.image_url !== 'string') continue;
    if (/^https?:\/\//i.test(part.image_url) && !isGeminiReadableUrl(part.image_url))
      urls.add(part.image_url);
  }
  return [...urls];
}
