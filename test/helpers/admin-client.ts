import { adminToken } from './secrets.ts';

/** Calls the admin API with ADMIN_TOKEN as a bearer token; JSON in, JSON out. */
export async function adminApi<T = Record<string, unknown>>(
  serviceUrl: string,
  path: string,
  options: { method?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(`${serviceUrl}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
  return (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
}

/** Signs in like the dashboard does and returns the session cookie (`name=value`). */
export async function signIn(serviceUrl: string): Promise<string> {
  const response = await fetch(`${serviceUrl}/admin/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: serviceUrl },
    body: JSON.stringify({ token: adminToken }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status}`);
  return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}
