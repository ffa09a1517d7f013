import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { handOver, usageTap } from '../../dispatch/call-record.ts';
import { clientAbort } from '../../dispatch/client-abort-signal.ts';
import type { Dispatcher } from '../../dispatch/dispatcher.ts';
import { type ResourceAffinity, uploadSessionOf } from '../../dispatch/resource-affinity.ts';
import { errors } from '../../errors/app-error.ts';
import { fromBrokenBody } from '../../errors/from-upstream.ts';
import { firstHeader } from '../../http/first-header.ts';
import { hasDotSegment } from '../../http/has-dot-segment.ts';
import { ChunkMasker } from '../../secrets/key-masker.ts';
import type { ModelResolver } from '../../translate/model-aliases.ts';
import { upstreamRequestHeaders } from '../../upstream/hop-by-hop.ts';
import { readBounded } from '../../upstream/read-bounded.ts';
import { aliasNativeCall } from './alias-native-call.ts';
import { limitBody } from './limit-body.ts';
import { modelFromPath } from './model-from-path.ts';
import { pipeUpstreamBody } from './pipe-upstream-body.ts';
import { rewriteUploadUrl } from './rewrite-upload-url.ts';
import { streamFraming } from './stream-error-tail.ts';
import { upstreamPath } from './upstream-path.ts';

export type NativeDependencies = {
  dispatcher: Dispatcher;
  affinity: ResourceAffinity;
  maxBodyBytes: number;
  maxUploadBytes: number;
  publicUrl: string | undefined;
  /** Model aliases and suffixes (MODEL_ALIASES); none when absent. */
  models?: ModelResolver | undefined;
};

/** Answers that name what a call created are small JSON; past this we stop looking. */
const maxCreatedBodyBytes = 1024 * 1024;

/** Unary answers up to this size are read whole and sent in one write. */
const maxWholeAnswerBytes = 256 * 1024;

/** Keeps the first bytes of a body that passes through, up to a limit. */
class ChunkCollector {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  complete = true;

  add(chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#size > maxCreatedBodyBytes) this.complete = false;
    else this.#chunks.push(chunk);
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

/**
 * Sends one native Gemini call upstream with pool keys and relays the answer unchanged. Resolves to
 * nothing once the answer is handed to Node: a reply is a thenable, which the promise would adopt
 * with one more job per request, and Fastify has nothing left to do for a hijacked reply.
 */
export async function forwardNative(
  request: FastifyRequest,
  reply: FastifyReply,
  dependencies: NativeDependencies,
): Promise<void> {
  const rawUrl = request.raw.url ?? '/';
  let path = upstreamPath(rawUrl);
  const isUpload = rawUrl.startsWith('/upload/');
  const upload = uploadSessionOf(rawUrl);

  // Dot segments would let a path reach another route once Google normalises it.
  if (hasDotSegment(rawUrl)) throw errors.invalidArgument('The path may not contain "." or ".." segments.');
  const startsUpload = String(request.headers['x-goog-upload-command'] ?? '').includes('start');
  // Upload bytes may be large; the metadata that starts an upload is not (and is buffered for retries).
  const limit = isUpload && !startsUpload ? dependencies.maxUploadBytes : dependencies.maxBodyBytes;
  if (Number(request.headers['content-length'] ?? 0) > limit) throw errors.payloadTooLarge(limit);
  // Uploads stream through unbuffered (one attempt); other bodies are small enough to keep for a retry.
  // Upload bytes stream through unbuffered (one attempt); everything else, including the small
  // metadata that starts a resumable upload, is kept so another key can replay it.
  let body = isUpload && !startsUpload ? streamedBody(request, limit) : await bufferedBody(request, limit);
  // Aliases: only the model in the path changes; a suffix may add its setting to the body.
  const aliased =
    dependencies.models === undefined || isUpload || !(body === null || Buffer.isBuffer(body))
      ? undefined
      : aliasNativeCall(path, body, dependencies.models);
  if (aliased !== undefined) ({ path, body } = aliased);
  // Later chunks of an upload go with the key that opened it; other resources are the caller's job.
  const owner = upload === undefined ? undefined : await dependencies.affinity.uploadOwner(upload);

  const signal = clientAbort(reply);
  const headers = upstreamRequestHeaders(request.headers);
  const declaredLength = request.headers['content-length'];
  if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
  else if (body !== null && declaredLength !== undefined) headers['content-length'] = declaredLength;
  const result = await dependencies.dispatcher.call(
    {
      method: request.method,
      path,
      model: modelFromPath(path),
      requestedModel: aliased?.resolved.requested,
      headers,
      body,
      signal,
      preferKeyId: owner,
      keyAsBearer: path.startsWith('/v1beta/openai/'),
      masksBody: true,
    },
    request.log,
  );
  handOver(request, result.record);

  // Already masked and without hop-by-hop headers (the dispatcher's one copy); only ours from here.
  const responseHeaders = result.headers;
  const uploadUrl = result.headers['x-goog-upload-url'];
  if (typeof uploadUrl === 'string') {
    const rewritten = rewriteUploadUrl(
      uploadUrl,
      dependencies.publicUrl ?? `${request.protocol}://${request.host}`,
    );
    responseHeaders['x-goog-upload-url'] = rewritten.url;
    if (rewritten.session !== undefined)
      await dependencies.affinity.rememberUpload(rewritten.session, result.keyId);
  }
  if (result.headers['x-goog-upload-status'] === 'final') await dependencies.affinity.forgetUpload(upload);

  const contentType = firstHeader(result.headers['content-type']);
  const length = firstHeader(result.headers['content-length']);
  const framing = streamFraming(path, contentType, length);
  // Calls that create a resource answer with its name: watch for it as the body passes.
  const created = result.status < 300 && dependencies.affinity.creates(request.method, path);
  const onEnd = (failure: unknown, body: string | undefined) => {
    if (failure !== undefined) request.log.warn({ err: failure }, 'upstream stream failed midway');
    else if (created && body !== undefined)
      dependencies.affinity
        .rememberCreated(body, result.keyId)
        .catch((error: unknown) =>
          request.log.warn({ err: error }, 'could not remember who created a resource'),
        );
  };
  const usage = usageTap(result.record);
  // A small answer of known length (a unary call) is read whole and sent in one write: no stream
  // machinery per request, and the client gets an error rather than a cut body if the upstream fails.
  if (framing === undefined && length !== undefined && Number(length) <= maxWholeAnswerBytes) {
    let bytes: Buffer;
    try {
      ({ bytes } = await readBounded(result.body, maxWholeAnswerBytes));
    } catch (error) {
      usage.end();
      onEnd(error, undefined);
      throw wholeAnswerFailure(error);
    }
    if (result.masker !== undefined) bytes = result.masker.maskBytes(bytes);
    usage.add(bytes);
    usage.end();
    onEnd(undefined, created ? bytes.toString('utf8') : undefined);
    // Written as Gemini sent it, past Fastify's reply pipeline (no onSend hook exists to run); the
    // onResponse hook still runs.
    reply.hijack();
    reply.raw.writeHead(result.status, responseHeaders);
    reply.raw.end(bytes);
    return;
  }
  const collector = created ? new ChunkCollector() : undefined;
  // Streams and large answers go straight onto the response (no stream in between); Fastify's
  // onResponse still runs when it finishes.
  reply.hijack();
  reply.raw.writeHead(result.status, responseHeaders);
  pipeUpstreamBody(result.body, reply.raw, {
    framing,
    mask: result.masker === undefined ? undefined : new ChunkMasker(result.masker),
    observe: (chunk: Buffer) => {
      usage.add(chunk);
      collector?.add(chunk);
    },
    onEnd: (failure) => {
      usage.end();
      onEnd(failure, collector?.complete ? collector.text() : undefined);
    },
  });
}

/** A unary answer that broke off: the client's own abort stays one, a silence is a timeout, the rest a failed answer. */
function wholeAnswerFailure(error: unknown): unknown {
  if (!(error instanceof Error) || error.name === 'AbortError') return error;
  return fromBrokenBody(error);
}

function streamedBody(request: FastifyRequest, limit: number): Readable | null {
  if (!hasBody(request)) return null;
  return request.raw.pipe(limitBody(limit));
}

async function bufferedBody(request: FastifyRequest, limit: number): Promise<Buffer | null> {
  if (!hasBody(request)) return null;
  const { bytes, truncated } = await readBounded(request.raw, limit, { drain: true });
  if (truncated) throw errors.payloadTooLarge(limit);
  return bytes;
}

function hasBody(request: FastifyRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  const declared = request.headers['content-length'];
  return declared !== '0' && (declared !== undefined || request.headers['transfer-encoding'] !== undefined);
}
