import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredRequestRecord } from '../store/request-record.ts';
import { toCsv } from './to-csv.ts';

test('CSV quotes commas and quotes, and a cell a spreadsheet would run as a formula is defused', () => {
  const record: StoredRequestRecord = {
    id: 7,
    time: Date.UTC(2026, 0, 1),
    surface: 'openai',
    route: '/v1/chat/completions',
    method: 'POST',
    model: '=HYPERLINK("http://evil.example")',
    requestedModel: undefined,
    client: 'alice, "ops"',
    keyFingerprint: 'key_0123456789ab',
    attempts: [{ key: 'key_0123456789ab', outcome: 'ok', status: 200 }],
    outcome: 'ok',
    status: 200,
    errorClass: undefined,
    errorMessage: undefined,
    latencyMs: 12.5,
    firstByteMs: undefined,
    stream: true,
    promptTokens: 7,
    outputTokens: 22,
    thoughtTokens: 0,
    cachedTokens: 0,
  };
  const [header, row] = toCsv([record]).split('\r\n');
  assert.match(header ?? '', /^id,time,surface,method,route,model,/);
  assert.equal(
    row,
    `7,2026-01-01T00:00:00.000Z,openai,POST,/v1/chat/completions,"'=HYPERLINK(""http://evil.example"")",,"alice, ""ops""",key_0123456789ab,key_0123456789ab:ok,ok,200,,,12.5,,true,7,22,0,0`,
  );
});
