import type { ServerResponse } from 'node:http';
import { behaviourKeys } from '../helpers/secrets.ts';
import { fixtureBytes } from './fixtures.ts';
import type { Override, ReceivedRequest } from './mock-gemini.ts';

const json = 'application/json; charset=UTF-8';

function answer(response: ServerResponse, status: number, body: string | Buffer): true {
  response.writeHead(status, { 'content-type': json });
  response.end(body);
  return true;
}

/** The recorded 429 body, re-aimed at one model and one quota id, with a given retry delay. */
export function quotaBody(model: string, quotaId: string, retryDelaySeconds: number): string {
  const body = JSON.parse(fixtureBytes('error-429-resource-exhausted.json').toString('utf8')) as {
    error: { details: Array<Record<string, unknown>> };
  };
  for (const detail of body.error.details) {
    if (detail['@type'] === 'type.googleapis.com/google.rpc.QuotaFailure') {
      const violations = detail.violations as Array<Record<string, unknown>>;
      violations[0] = { ...violations[0], quotaId, quotaDimensions: { location: 'global', model } };
    }
    if (detail['@type'] === 'type.googleapis.com/google.rpc.RetryInfo')
      detail.retryDelay = `${retryDelaySeconds}s`;
  }
  return JSON.stringify(body, null, 2);
}

export const minuteQuotaModel = 'gemini-2.5-pro';

/**
 * Gemini as seen by a pool of keys with personalities: one dead (the recorded 400 API_KEY_INVALID),
 * one over its per-minute quota for one model only, one over its per-day quota, one that answers
 * 503 (the recorded "overloaded" body), one slow; the rest healthy. Other keys fall through to the
 * recorded fixtures.
 */
export function keyBehaviours(options: { deadKeyAlive?: () => boolean } = {}): Override {
  return async (request: ReceivedRequest, response: ServerResponse) => {
    const model = /\/models\/([^/:?]+)/.exec(request.url)?.[1];
    const isRecheck = request.url.startsWith('/v1beta/models?');
    switch (request.key) {
      case behaviourKeys.dead:
        if (options.deadKeyAlive?.()) return false;
        return answer(response, 400, fixtureBytes('error-400-invalid-key.json'));
      case behaviourKeys.minuteQuota:
        if (model !== minuteQuotaModel || isRecheck) return false;
        return answer(
          response,
          429,
          quotaBody(minuteQuotaModel, 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', 30),
        );
      case behaviourKeys.dayQuota:
        if (isRecheck) return false;
        return answer(
          response,
          429,
          quotaBody(model ?? 'gemini-2.5-flash', 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', 3),
        );
      case behaviourKeys.flaky:
        return answer(response, 503, fixtureBytes('error-503-overloaded.json'));
      case behaviourKeys.slow:
        await new Promise((resolve) => setTimeout(resolve, 50));
        return false;
      default:
        return false;
    }
  };
}
