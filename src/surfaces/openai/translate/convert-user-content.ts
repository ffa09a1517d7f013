import { errors } from '../../../errors/app-error.ts';
import type { GeminiPart } from '../../../gemini/types.ts';
import { isGeminiReadableUrl } from '../../../media/is-gemini-readable-url.ts';
import { parseDataUrl } from '../../../media/parse-data-url.ts';
import type { UserContentPart } from '../schema/chat-request-schema.ts';
import type { FetchedImages } from './collect-remote-image-urls.ts';

const filesApiBase = 'https://generativelanguage.googleapis.com/v1beta/';

/** A user message's content (string or parts) as Gemini parts; `param` is e.g. `messages[3].content`. */
export function convertUserContent(
  content: string | UserContentPart[],
  images: FetchedImages,
  param: string,
): GeminiPart[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.map((part, index) => convertPart(part, images, `${param}[${index}]`));
}

function convertPart(part: UserContentPart, images: FetchedImages, param: string): GeminiPart {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image_url':
      return convertImage(part.image_url.url, images, `${param}.image_url.url`);
    case 'input_audio':
      return { inlineData: { mimeType: `audio/${part.input_audio.format}`, data: part.input_audio.data } };
    case 'file':
      return convertFile(part.file, `${param}.file`);
  }
}

function convertImage(url: string, images: FetchedImages, param: string): GeminiPart {
  const inline = parseDataUrl(url);
  if (inline !== undefined) return { inlineData: inline };
  if (isGeminiReadableUrl(url)) return { fileData: { fileUri: url } };
  const fetched = images.get(url);
  if (fetched !== undefined) return { inlineData: { mimeType: fetched.mimeType, data: fetched.data } };
  if (/^https?:\/\//i.test(url))
    throw errors.invalidArgument(`The image at ${url} could not be fetched.`, param);
  throw errors.invalidArgument('Expected a base64 data URL or an http(s) URL.', param);
}

function convertFile(
  file: { file_data?: string | undefined; file_id?: string | undefined; filename?: string | undefined },
  param: string,
): GeminiPart {
  if (file.file_data !== undefined) {
    const inline = parseDataUrl(file.file_data) ?? guessInline(file.file_data, file.filename);
    if (inline === undefined) {
      throw errors.invalidArgument(
        'Expected a base64 data URL, or a filename that names a PDF.',
        `${param}.file_data`,
      );
    }
    return { inlineData: inline };
  }
  const id = file.file_id ?? '';
  // Gemini Files API names look like `files/abc123`; a full URI passes as is.
  if (/^https:\/\//.test(id)) return { fileData: { fileUri: id } };
  return { fileData: { fileUri: `${filesApiBase}${id.startsWith('files/') ? id : `files/${id}`}` } };
}

/** Some clients send bare base64 plus a filename; PDF is the one type we can name safely from that. */
function guessInline(
  data: string,
  filename: string | undefined,
): { mimeType: string; data: string } | undefined {
  if (filename?.toLowerCase().endsWith('.pdf') === true) return { mimeType: 'application/pdf', data };
  return undefined;
}
