import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdminSessions } from './admin-sessions.ts';

test('sessions start with the admin token only, expire, and end at sign-out', () => {
  let now = 1_000_000;
  const sessions = new AdminSessions({ adminToken: 'admin-secret', sessionMs: 60_000, now: () => now });
  assert.equal(sessions.isAdminToken('client-token'), false);
  const verdict = sessions.signIn('127.0.0.1', 'admin-secret');
  assert.ok(verdict.ok);
  assert.equal(sessions.check(verdict.session), now + 60_000);
  assert.equal(sessions.check('forged'), undefined);
  now += 60_000;
  assert.equal(sessions.check(verdict.session), undefined, 'expired');
  const second = sessions.signIn('127.0.0.1', 'admin-secret');
  assert.ok(second.ok);
  sessions.signOut(second.session);
  assert.equal(sessions.check(second.session), undefined);
});

test('failed sign-ins wait longer each time and lock the address after twenty', () => {
  let now = 0;
  const sessions = new AdminSessions({ adminToken: 'admin-secret', sessionMs: 60_000, now: () => now });
  const delays: number[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const verdict = sessions.signIn('203.0.113.9', 'guess');
    assert.equal(verdict.ok, false);
    if (!verdict.ok) delays.push(verdict.delayMs);
  }
  assert.deepEqual(delays.slice(0, 4), [500, 1000, 2000, 4000]);
  assert.equal(delays.at(-1), 10_000);
  assert.ok(sessions.lockedFor('203.0.113.9') > 0);
  assert.equal(sessions.lockedFor('198.51.100.1'), 0, 'other addresses are not affected');
  now += 15 * 60_000;
  assert.equal(sessions.lockedFor('203.0.113.9'), 0);
  assert.equal(new AdminSessions({ adminToken: undefined, sessionMs: 1 }).signIn('x', 'anything').ok, false);
});
