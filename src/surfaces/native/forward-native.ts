import { pipeline, type Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AppError, errors } from '../../errors/app-error.ts';
import { clientResponseHeaders, upstreamRequestHeaders } from '../../upstream/hop-by-hop.ts';
import type { UpstreamClient } from '../../upstream/upstream-client.ts';
import { isLease, type KeyLease, type KeyProvider, type NoKey } from './key-provider.ts';
import { limitBody } from './limit-body.ts';
import { modelFromPath } from './model-from-path.ts';
import { pipeUpstreamBody } from './pipe-upstream-body.ts';
import type { UploadSessions } from './upload-sessions.ts';
import { upstreamPath } from './upstream-path.ts';

export type NativeDependencies = {
  upstream: UpstreamClient;
  keys: KeyProvider;
  uploads: UploadSessions;
  maxBodyBytes: number;
  maxUploadBytes: number;
  publicUrl: string | undefined;
};

/** Error bodies are small; reading them whole lets us scrub a key Google quotes back at us. */
const maxErrorBodyBytes = 256 * 1024;

export function noKeyError(reason: NoKey, model: string | undefined): AppError {
  if (reason.kind === 'cooling')
    return errors.allKeysCooling(model ?? 'this model', Math.ceil(reason.retryAfterMs / 1000));
  if (reason.kind === 'all-dead') return errors.allKeysDead();
  return errors.noKeysConfigured();
}

/** Sends one native Gemini call upstream with a pool key and relays the answer unchanged. */
export async function forwardNative(
  request: FastifyRequest,
  reply: FastifyReply,
  dependencies: NativeDependencies,
): Promise<FastifyReply> {
  const rawUrl = request.raw.url ?? '/';
  const path = upstreamPath(rawUrl);
  const isUpload = rawUrl.startsWith('/upload/');
  const uploadId = isUpload ? new URL(rawUrl, 'http://local').searchParams.get('upload_id') : null;
  const owner = dependencies.uploads.ownerOf(uploadId);
  const model = modelFromPath(path);
  request.model = model;

  const lease = dependencies.keys.acquire(model, owner === undefined ? {} : { preferKeyId: owner });
  if (!isLease(lease)) throw noKeyError(lease, model);
  request.keyFingerprint = lease.fingerprint;

  const limit = isUpload ? dependencies.maxUploadBytes : dependencies.maxBodyBytes;
  if (Number(request.headers['content-length'] ?? 0) > limit) throw errors.payloadTooLarge(limit);

  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  const response = await dependencies.upstream.request({
    method: request.method,
    path,
    headers: upstreamRequestHeaders(request.headers, lease.secret),
    body: requestBody(request, limit),
    signal: controller.signal,
  });

  const headers = clientResponseHeaders(response.headers);
  const uploadUrl = response.headers['x-goog-upload-url'];
  if (typeof uploadUrl === 'string') {
    headers['x-goog-upload-url'] = dependencies.uploads.adopt(
      uploadUrl,
      publicOrigin(request, dependencies),
      lease.id,
    );
  }
  if (response.headers['x-goog-upload-status'] === 'final') dependencies.uploads.finish(uploadId);

  reply.code(response.status).headers(headers);
  if (response.status >= 400) return reply.send(await scrubbedErrorBody(response.body, lease, headers));
  return reply.send(
    pipeUpstreamBody(response.body, headerText(response.headers['content-type']), (failure) => {
      if (failure !== undefined) request.log.warn({ err: failure }, 'upstream stream failed midway');
    }),
  );
}

function requestBody(request: FastifyRequest, limit: number): Readable | null {
  if (request.method === 'GET' || request.method === 'HEAD') return null;
  const declared = request.headers['content-length'];
  if (declared === '0' || (declared === undefined && request.headers['transfer-encoding'] === undefined))
    return null;
  return pipeline(request.raw, limitBody(limit), () => {});
}

function publicOrigin(request: FastifyRequest, dependencies: NativeDependencies): string {
  return dependencies.publicUrl ?? `${request.protocol}://${request.host}`;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function scrubbedErrorBody(
  body: Readable,
  lease: KeyLease,
  headers: Record<string, unknown>,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxErrorBodyBytes) break;
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  const text = bytes.toString('utf8');
  if (!text.includes(lease.secret)) return bytes;
  delete headers['content-length'];
  return Buffer.from(text.replaceAll(lease.secret, lease.fingerprint));
}
