import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../../../errors/app-error.ts';

export type UploadedFile = { name: string; mimeType: string; bytes: Buffer };
export type FormBody = { fields: Record<string, string>; files: Map<string, UploadedFile[]> };

/**
 * multipart/form-data bodies (image edits, transcriptions), read whole within the body limit and
 * parsed by the platform's own multipart reader (`Response.formData()` in undici), so no parser is
 * added to the service.
 */
export function addMultipartParser(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit },
    (request: FastifyRequest, body: Buffer, done: (error: Error | null, form?: FormData) => void) => {
      const contentType = String(request.headers['content-type'] ?? '');
      new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData().then(
        (form) => done(null, form),
        () => done(errors.invalidArgument('The multipart/form-data body could not be read.')),
      );
    },
  );
}

/** The parsed form of a request; a 400 when the body was not multipart/form-data. */
export async function readForm(request: FastifyRequest): Promise<FormBody> {
  if (!(request.body instanceof FormData)) {
    throw errors.invalidArgument('This endpoint takes multipart/form-data (files and fields).');
  }
  const fields: Record<string, string> = {};
  const files = new Map<string, UploadedFile[]>();
  for (const [name, value] of request.body.entries()) {
    if (typeof value === 'string') {
      fields[name] = value;
      continue;
    }
    const bytes = Buffer.from(await value.arrayBuffer());
    const list = files.get(name) ?? [];
    list.push({ name: value.name, mimeType: value.type, bytes });
    files.set(name, list);
  }
  return { fields, files };
}
