import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent } from 'undici';
import { AppError, errors } from '../errors/app-error.ts';
import type { ImageBudget } from './image-budget.ts';
import { type AddressPolicy, isPublicAddress } from './is-public-address.ts';
import { sniffImageType } from './sniff-image-type.ts';

/** An image fetched before translation (Gemini cannot read arbitrary URLs itself): type and base64 bytes. */
export interface FetchedImage {
  mimeType: string;
  /** base64 */
  data: string;
}

export type RemoteImageOptions = {
  /** Largest image accepted, in bytes. */
  maxBytes?: number;
  /** For the whole fetch, redirects included. */
  timeoutMs?: number;
  maxRedirects?: number;
  /** Which resolved addresses may be connected to; public unicast only by default. */
  isAllowed?: AddressPolicy;
};

export type ImageFetcher = {
  /** `budget`: shared by the images of one request, charged while bytes arrive. */
  fetch(url: string, signal: AbortSignal, budget?: ImageBudget): Promise<FetchedImage>;
  close(): Promise<void>;
};

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

const refusedCode = 'IMAGE_ADDRESS_REFUSED';
const refusedReason = 'its host is a private, loopback, link-local or otherwise non-public address';

/**
 * Fetches the http(s) images of an OpenAI chat request, bounded in size and time. Every host name is
 * resolved by us and the connection goes to the very address that passed the policy (undici's
 * `connect.lookup`), so a DNS answer that changes between check and connect cannot reach a private
 * address; IP literals are checked before connecting, and each redirect goes through the same checks.
 */
export function createImageFetcher(options: RemoteImageOptions = {}): ImageFetcher {
  const maxBytes = options.maxBytes ?? 20 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRedirects = options.maxRedirects ?? 3;
  const isAllowed = options.isAllowed ?? isPublicAddress;
  const agent = new Agent({ connect: { timeout: timeoutMs, lookup: guardedLookup(isAllowed) } });

  async function fetchImage(url: string, signal: AbortSignal, budget?: ImageBudget): Promise<FetchedImage> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    let current = parseImageUrl(url);
    for (let redirects = 0; ; redirects++) {
      checkLiteralHost(current, isAllowed);
      const response = await agent
        .request({
          origin: current.origin,
          path: `${current.pathname}${current.search}`,
          method: 'GET',
          headers: { accept: 'image/*' },
          signal: combined,
        })
        .catch((error: unknown) => {
          throw explain(error, timeout.aborted && !signal.aborted, timeoutMs);
        });
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
        await response.body.dump();
        if (redirects >= maxRedirects) throw imageError(`it redirected more than ${maxRedirects} times`);
        current = parseImageUrl(new URL(location, current).href);
        continue;
      }
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw imageError(`its server answered HTTP ${response.statusCode}`);
      }
      return readImage(response, maxBytes, budget).catch((error: unknown) => {
        throw explain(error, timeout.aborted && !signal.aborted, timeoutMs);
      });
    }
  }
  return { fetch: fetchImage, close: () => agent.close() };
}

async function readImage(
  response: Awaited<ReturnType<Agent['request']>>,
  maxBytes: number,
  budget: ImageBudget | undefined,
): Promise<FetchedImage> {
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    response.body.destroy();
    throw imageError(`it is larger than the limit of ${maxBytes} bytes`);
  }
  if (budget !== undefined && declared > budget.remaining) {
    response.body.destroy();
    throw overBudget(budget);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Limits are enforced as bytes arrive: past one, the rest is never downloaded.
  for await (const chunk of response.body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) throw imageError(`it is larger than the limit of ${maxBytes} bytes`);
    if (budget !== undefined && !budget.take(buffer.length)) throw overBudget(budget);
    chunks.push(buffer);
  }
  const bytes = Buffer.concat(chunks);
  const contentType = response.headers['content-type'];
  const mimeType = sniffImageType(typeof contentType === 'string' ? contentType : undefined, bytes);
  if (mimeType === undefined) throw imageError('it is not an image');
  return { mimeType, data: bytes.toString('base64') };
}

function overBudget(budget: ImageBudget): AppError {
  return imageError(
    `the images of this request add up to more than the ${budget.limit} bytes Gemini accepts inline (upload large files with the Files API)`,
  );
}

function parseImageUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw imageError('it is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw imageError('only http(s) URLs can be fetched');
  return url;
}

/** Node connects to an IP literal without a lookup, so those are checked here. */
function checkLiteralHost(url: URL, isAllowed: AddressPolicy): void {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0 && !isAllowed(host)) throw imageError(refusedReason);
}

function guardedLookup(isAllowed: AddressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses) => {
      if (error !== null) return callback(error, []);
      if (addresses.length === 0 || addresses.some((entry) => !isAllowed(entry.address)))
        return callback(refusedError(), []);
      const first = addresses[0] as LookupAddress;
      if (options.all === true) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

function refusedError(): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(refusedReason);
  error.code = refusedCode;
  return error;
}

function imageError(reason: string): AppError {
  return errors.imageFetchFailed(reason);
}

/** Undici wraps connect failures; the refusal we raised in the lookup is found along the causes. */
function explain(error: unknown, timedOut: boolean, timeoutMs: number): unknown {
  if (error instanceof AppError) return error;
  if (timedOut) return imageError(`it did not arrive within ${timeoutMs} ms`);
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if ((cause as NodeJS.ErrnoException).code === refusedCode) return imageError(cause.message);
  }
  if (error instanceof Error && error.name === 'AbortError') return error;
  return imageError('it could not be downloaded');
}
