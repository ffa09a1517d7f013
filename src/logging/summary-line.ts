import type { FastifyBaseLogger } from 'fastify';
import type { RequestSummary } from '../dispatch/request-summary.ts';
import type { PreparedLines } from './prepared-line.ts';

const message = 'request completed';
/** pino's own serialisation path scrubs whole lines itself. */
const unscrubbed = (text: string) => text;

/**
 * The summary line's fields, in the order they have always been written: the request id, the
 * summary without its attempts, then how many attempts and each one's key fingerprint and outcome.
 */
function fields(reqId: string, summary: RequestSummary, scrub: (text: string) => string) {
  const { attempts } = summary;
  const count = attempts.length;
  let outcomes: string[] | undefined;
  if (count > 0) {
    outcomes = new Array<string>(count);
    for (let index = 0; index < count; index++) {
      const attempt = attempts[index]!;
      outcomes[index] = `${attempt.keyFingerprint}:${attempt.outcome}`;
    }
  }
  const model = summary.model === undefined ? undefined : scrub(summary.model);
  const requested = summary.requestedModel;
  return {
    // From the client (x-request-id, the path and the model named in it): masked like any free text.
    reqId: scrub(reqId),
    method: summary.method,
    route: summary.route,
    path: scrub(summary.path),
    surface: summary.surface,
    model,
    // Mostly the same text as the model: masked once.
    requestedModel:
      requested === undefined ? undefined : requested === summary.model ? model : scrub(requested),
    status: summary.status,
    keyFingerprint: summary.keyFingerprint,
    tokens: summary.tokens,
    stream: summary.stream,
    firstByteMs: summary.firstByteMs,
    latencyMs: summary.latencyMs,
    attempts: count === 0 ? undefined : count,
    outcomes,
  };
}

/**
 * Writes one request's summary line at `info`: serialised once, by `JSON.stringify`, into the
 * logger's prepared line when it has one (see prepared-line.ts), else through the request's logger.
 */
export function logRequestSummary(
  lines: PreparedLines | undefined,
  log: FastifyBaseLogger,
  reqId: string,
  summary: RequestSummary,
): void {
  if (lines === undefined) {
    const { reqId: _bound, ...rest } = fields(reqId, summary, unscrubbed);
    log.info(rest, message);
    return;
  }
  const json = JSON.stringify(fields(reqId, summary, lines.scrub));
  lines.info(json.slice(1, -1), message);
}
