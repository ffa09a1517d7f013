import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeCall } from './helpers/native-call.ts';
import { adminToken, clientToken } from './helpers/secrets.ts';
import { withService } from './helpers/with-service.ts';

const sampleLine =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9.]+(e[+-]?\d+)?|NaN|[+-]Inf)$/;

/** Every line is a HELP or TYPE comment or a well-formed sample; returns the samples by name{labels}. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      assert.match(line, /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/, line);
      continue;
    }
    assert.match(line, sampleLine, line);
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

test('/metrics is Prometheus text and its counters move with traffic; relayed callers need the admin token', async () => {
  await withService({ env: { ADMIN_TOKEN: adminToken } }, async ({ service }) => {
    const scrape = async () => {
      const response = await fetch(`${service.url}/metrics`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      return parsePrometheus(await response.text());
    };
    const requests = 'gemini_balance_requests_total{surface="native",model="gemini-2.5-flash",status="200"}';
    const before = await scrape();
    assert.equal(before.get('gemini_balance_keys{state="active"}'), 3);
    for (let index = 0; index < 3; index++)
      await (await nativeCall(service.url, 'gemini-2.5-flash:generateContent')).text();
    await (await nativeCall(service.url, 'gemini-2.5-flash:streamGenerateContent?alt=sse')).text();
    const after = await scrape();
    assert.equal((after.get(requests) ?? 0) - (before.get(requests) ?? 0), 4);
    assert.equal(after.get('gemini_balance_upstream_attempts_total{outcome="ok"}'), 4);
    assert.ok((after.get('gemini_balance_tokens_total{model="gemini-2.5-flash",kind="prompt"}') ?? 0) > 0);
    assert.equal(after.get('gemini_balance_request_duration_seconds_count{surface="native"}'), 4);
    assert.equal(after.get('gemini_balance_time_to_first_byte_seconds_count{surface="native"}'), 4);

    const relayed = { 'x-forwarded-for': '203.0.113.7' };
    assert.equal((await fetch(`${service.url}/metrics`, { headers: relayed })).status, 401);
    const withClientToken = await fetch(`${service.url}/metrics`, {
      headers: { ...relayed, authorization: `Bearer ${clientToken}` },
    });
    assert.equal(withClientToken.status, 401);
    const withAdmin = await fetch(`${service.url}/metrics`, {
      headers: { ...relayed, authorization: `Bearer ${adminToken}` },
    });
    assert.equal(withAdmin.status, 200);
    await withAdmin.text();
  });
});

test('GET / tells a person where things are', async () => {
  await withService({}, async ({ service }) => {
    const response = await fetch(`${service.url}/`);
    assert.equal(response.status, 200);
    const text = await response.text();
    for (const place of ['/docs', '/admin', '/health']) assert.ok(text.includes(`href="${place}"`), place);
  });
});
