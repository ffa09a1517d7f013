import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { adminApi, signIn } from './helpers/admin-client.ts';
import { nativeCall } from './helpers/native-call.ts';
import { adminToken, allSecrets, clientToken, poolKeys } from './helpers/secrets.ts';
import { type RunningService, startService } from './helpers/start-service.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

const apiRoutes: Array<[string, string]> = [
  ['GET', '/admin/api/keys'],
  ['POST', '/admin/api/keys'],
  ['POST', '/admin/api/keys/verify'],
  ['GET', '/admin/api/tasks/x'],
  ['POST', `/admin/api/keys/${fingerprintKey(poolKeys[0])}/enable`],
  ['POST', `/admin/api/keys/${fingerprintKey(poolKeys[0])}/disable`],
  ['PUT', `/admin/api/keys/${fingerprintKey(poolKeys[0])}/note`],
  ['DELETE', `/admin/api/keys/${fingerprintKey(poolKeys[0])}`],
  ['POST', '/admin/api/keys/export'],
  ['GET', '/admin/api/overview'],
  ['GET', '/admin/api/usage'],
  ['GET', '/admin/api/requests'],
  ['GET', '/admin/api/requests.csv'],
  ['GET', '/admin/api/config'],
];

describe('admin security', () => {
  let mock: MockGemini;
  let service: RunningService;

  before(async () => {
    mock = await MockGemini.start();
    service = await startService(mock.url, { ADMIN_TOKEN: adminToken, TRUST_PROXY: 'true' });
    await (await nativeCall(service.url, 'gemini-2.5-flash:generateContent')).text();
  });
  after(async () => {
    await service.close();
    await mock.close();
  });

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${service.url}${path}`, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body }),
    });

  test('every admin route refuses without a session or the admin token; a client token is not an admin token', async () => {
    for (const [method, path] of apiRoutes) {
      const json = method === 'GET' ? {} : { 'content-type': 'application/json' };
      const body = method === 'GET' ? undefined : '{}';
      for (const headers of [
        {},
        { authorization: `Bearer ${clientToken}` },
        { 'x-goog-api-key': clientToken },
      ]) {
        const response = await call(method, path, { ...json, ...headers }, body);
        assert.equal(response.status, 401, `${method} ${path}`);
        assert.match(await response.text(), /"UNAUTHENTICATED"/);
      }
      const forged = await call(method, path, { ...json, cookie: 'gb_admin_session=forged' }, body);
      assert.equal(forged.status, 401, `${method} ${path} with a forged cookie`);
      await forged.text();
    }
    const page = await call('GET', '/admin');
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('location'), '/admin/sign-in');
    assert.equal((await call('GET', '/admin/sign-in')).status, 200);
  });

  test('the session cookie is HttpOnly, SameSite=Strict, expires, Secure over https; sign-out ends it', async () => {
    const response = await call(
      'POST',
      '/admin/api/session',
      { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      JSON.stringify({ token: adminToken }),
    );
    assert.equal(response.status, 200);
    const cookie = response.headers.get('set-cookie') ?? '';
    for (const flag of ['HttpOnly', 'SameSite=Strict', 'Secure', 'Path=/admin', 'Max-Age=43200'])
      assert.ok(cookie.includes(flag), `${flag} in ${cookie}`);
    const plain = await signIn(service.url);
    assert.doesNotMatch(
      (
        await call(
          'POST',
          '/admin/api/session',
          { 'content-type': 'application/json' },
          JSON.stringify({ token: adminToken }),
        )
      ).headers.get('set-cookie') ?? '',
      /Secure/,
      'no Secure flag over plain http',
    );
    assert.equal((await call('GET', '/admin/api/keys', { cookie: plain })).status, 200);
    assert.equal((await call('GET', '/admin', { cookie: plain })).status, 200);
    const out = await call(
      'DELETE',
      '/admin/api/session',
      { cookie: plain, 'content-type': 'application/json' },
      '{}',
    );
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal((await call('GET', '/admin/api/keys', { cookie: plain })).status, 401);
    const wrong = await call(
      'POST',
      '/admin/api/session',
      { 'content-type': 'application/json' },
      JSON.stringify({ token: clientToken }),
    );
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
  });

  test('a cross-site form post cannot act, even with the session cookie', async () => {
    const cookie = await signIn(service.url);
    const id = fingerprintKey(poolKeys[1]);
    const attempts: Array<Record<string, string>> = [
      { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      { 'content-type': 'text/plain', origin: service.url },
      { 'content-type': 'multipart/form-data; boundary=x' },
      { 'content-type': 'application/json', origin: 'https://evil.example' },
      { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of attempts) {
      const body = headers['content-type'] === 'application/json' ? '{"reason":"x"}' : 'reason=x';
      const response = await call('POST', `/admin/api/keys/${id}/disable`, { cookie, ...headers }, body);
      assert.ok(
        response.status === 403 || response.status === 415,
        `${JSON.stringify(headers)}: ${response.status}`,
      );
      await response.text();
    }
    const keys = await adminApi<{ keys: Array<{ fingerprint: string; state: string }> }>(
      service.url,
      '/admin/api/keys',
    );
    assert.equal(keys.keys.find((key) => key.fingerprint === id)?.state, 'active');
  });

  test('no pool key, client token or admin token in clear in any admin answer or page (export aside)', async () => {
    const cookie = await signIn(service.url);
    const paths = [
      '/admin',
      '/admin/sign-in',
      '/',
      '/admin/api/keys',
      '/admin/api/overview',
      '/admin/api/usage?dimension=key',
      '/admin/api/usage?dimension=client',
      '/admin/api/requests',
      '/admin/api/requests.csv',
      '/admin/api/config',
      '/metrics',
    ];
    for (const path of paths) {
      const text = await (await call('GET', path, { cookie })).text();
      assert.ok(text.length > 0, path);
      for (const secret of allSecrets)
        assert.ok(!text.includes(secret), `${path} shows ${fingerprintKey(secret)}`);
    }
    const exported = await adminApi<string>(service.url, '/admin/api/keys/export', {
      method: 'POST',
      body: { state: 'all' },
    });
    assert.deepEqual(exported.trim().split('\n').sort(), [...poolKeys].sort());
  });
});
