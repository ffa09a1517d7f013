import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MemoryAffinityStore } from '../../test/helpers/memory-affinity-store.ts';
import { MemorySignatureStore } from '../../test/helpers/memory-signature-store.ts';
import { RedisServer } from '../../test/helpers/redis-server.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import type { KeyStateChange } from './key-state-change.ts';
import { MemoryKeyStateStore } from './memory-key-state-store.ts';
import { RedisAffinityStore } from './redis-affinity-store.ts';
import { RedisKeyStateStore } from './redis-key-state-store.ts';
import { RedisLink } from './redis-link.ts';
import { RedisSignatureStore } from './redis-signature-store.ts';

const healthy = { disabled: undefined, failureStreak: 0, backoffUntil: 0 };
const dead = {
  disabled: { reason: 'API_KEY_INVALID', since: 1, by: 'upstream' as const },
  failureStreak: 0,
  backoffUntil: 0,
};

describe('Redis stores on a real redis-server', () => {
  let redis: RedisServer;
  const links: RedisLink[] = [];

  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    for (const link of links) await link.close();
    await redis.stop();
  });

  async function instance(prefix: string, now: () => number = Date.now) {
    const link = new RedisLink({ url: redis.url, prefix, timeoutMs: 300 });
    links.push(link);
    await link.connect();
    const store = await RedisKeyStateStore.open(link, new MemoryKeyStateStore(), now);
    const heard: KeyStateChange[] = [];
    store.onChange((change) => heard.push(change));
    return { link, store, heard, affinity: new RedisAffinityStore(link, new MemoryAffinityStore(), now) };
  }

  test('each change reaches the other instances, never its own, and is not echoed back', async () => {
    const first = await instance('echo:');
    const second = await instance('echo:');
    first.store.saveCooldown('key_a', 'gemini-2.5-pro', Date.now() + 60_000);
    first.store.saveHealth('key_b', dead);
    assert.ok(
      await waitFor(() => second.heard.length === 2, { timeoutMs: 5000 }),
      'both changes at the second instance',
    );
    assert.deepEqual(
      second.heard.map((change) => change.kind),
      ['cooldown', 'health'],
    );
    assert.equal(first.heard.length, 0, 'an instance does not hear itself');
    // The second instance's pool applies the change and writes it to its store: not published again.
    second.store.onChange((change) => {
      if (change.kind === 'health') second.store.saveHealth(change.fingerprint, change.health);
    });
    first.store.saveHealth('key_c', dead);
    assert.ok(await waitFor(() => second.heard.length === 3, { timeoutMs: 5000 }), 'the third change');
    second.store.saveCooldown('key_marker', 'm', Date.now() + 60_000);
    assert.ok(await waitFor(() => first.heard.length === 1, { timeoutMs: 5000 }), 'the marker');
    assert.deepEqual(
      first.heard.map((change) => change.fingerprint),
      ['key_marker'],
    );
  });

  test('a longer live cooldown stands; the newest health wins; counters add up', async () => {
    let clock = 1_000_000;
    const first = await instance('merge:', () => clock);
    const second = await instance('merge:', () => clock);
    first.store.saveCooldown('key_a', 'flash', clock + 50_000);
    second.store.saveCooldown('key_a', 'flash', clock + 10_000);
    second.store.saveLimit('key_a', 'flash', { limit: 10, windowMs: 60_000 });
    clock += 5;
    second.store.saveHealth('key_a', dead);
    for (let index = 0; index < 3; index++) first.store.increment('key_a', 'quota');
    second.store.increment('key_a', 'quota');
    first.store.flush();
    second.store.flush();
    // The newest health wins whatever order the writes arrive in.
    clock -= 2;
    first.store.saveHealth('key_a', healthy);
    // A marker written last by each: once the other hears it, everything before it is in Redis.
    first.store.saveCooldown('key_marker_1', 'm', clock + 60_000);
    second.store.saveCooldown('key_marker_2', 'm', clock + 60_000);
    assert.ok(
      await waitFor(
        () =>
          first.heard.some((change) => change.fingerprint === 'key_marker_2') &&
          second.heard.some((change) => change.fingerprint === 'key_marker_1'),
        { timeoutMs: 5000 },
      ),
      'both markers',
    );
    const fresh = await instance('merge:', () => clock);
    const state = fresh.store.load(clock).get('key_a');
    assert.equal(state?.cooldowns.get('flash'), 1_050_000);
    assert.equal(state?.counters.quota, 4);
    assert.deepEqual(state?.limits.get('flash'), { limit: 10, windowMs: 60_000 });
    assert.deepEqual(state?.disabled, dead.disabled);
  });

  test('Redis away: writes fail fast, lookups fall back; Redis back: what was learnt meanwhile is shared', async () => {
    const first = await instance('outage:');
    const second = await instance('outage:');
    await first.affinity.remember('files/before', 'key_a', Date.now() + 60_000);
    assert.equal(await second.affinity.lookup('files/before', Date.now()), 'key_a');
    await redis.stop();
    assert.ok(await waitFor(() => !first.link.up && !second.link.up, { timeoutMs: 5000 }), 'both to notice');
    const began = Date.now();
    first.store.saveCooldown('key_offline', 'pro', Date.now() + 60_000);
    await first.affinity.remember('files/offline', 'key_b', Date.now() + 60_000);
    assert.equal(await first.affinity.lookup('files/offline', Date.now()), 'key_b', 'local fallback');
    assert.equal(await second.affinity.lookup('files/offline', Date.now()), undefined);
    assert.ok(Date.now() - began < 1000, `no call waited on Redis (${Date.now() - began} ms)`);
    await redis.resume();
    // Redis came back empty: each instance gives it what it knows.
    assert.ok(
      await waitFor(() => second.heard.some((change) => change.fingerprint === 'key_offline'), {
        timeoutMs: 5000,
      }),
      'the offline cooldown at the second instance',
    );
    assert.equal(await second.affinity.lookup('files/offline', Date.now()), 'key_b');
    assert.equal(await second.affinity.lookup('files/before', Date.now()), 'key_a');
  });

  test('at start, an instance gives Redis what its local store knew', async () => {
    const local = new MemoryKeyStateStore();
    local.saveCooldown('key_local', 'pro', Date.now() + 60_000);
    local.saveHealth('key_dead', dead);
    const link = new RedisLink({ url: redis.url, prefix: 'start:', timeoutMs: 300 });
    links.push(link);
    await link.connect();
    await RedisKeyStateStore.open(link, local);
    const fresh = await instance('start:');
    const states = fresh.store.load(Date.now());
    assert.ok((states.get('key_local')?.cooldowns.get('pro') ?? 0) > Date.now());
    assert.deepEqual(states.get('key_dead')?.disabled, dead.disabled);
  });

  test('Redis frozen (connections open, no answer): noticed within the timeout, re-synced when it answers again', async () => {
    const first = await instance('frozen:');
    const second = await instance('frozen:');
    redis.pause(true);
    try {
      const began = Date.now();
      assert.equal(await first.affinity.lookup('files/none', Date.now()), undefined);
      assert.ok(Date.now() - began < 1000, 'the lookup waited at most about the timeout');
      assert.ok(
        await waitFor(() => !first.link.up, { timeoutMs: 3000 }),
        'the link dropped the hung connection',
      );
      first.store.saveCooldown('key_frozen', 'pro', Date.now() + 60_000);
    } finally {
      redis.pause(false);
    }
    assert.ok(
      await waitFor(() => second.heard.some((change) => change.fingerprint === 'key_frozen'), {
        timeoutMs: 5000,
      }),
      'what was learnt while Redis hung reaches the other instance',
    );
  });

  test('closing while Redis is away does not wait for it', { timeout: 10_000 }, async () => {
    const link = new RedisLink({ url: redis.url, prefix: 'close:', timeoutMs: 300 });
    await link.connect();
    const store = await RedisKeyStateStore.open(link, new MemoryKeyStateStore());
    store.increment('key_a', 'successes');
    await redis.stop();
    store.close();
    await link.close();
    await redis.resume();
  });

  test('thought signatures remembered through one instance are recalled through another', async () => {
    const first = await instance('signatures:');
    const second = await instance('signatures:');
    const [one, two] = [first, second].map(
      (entry) => new RedisSignatureStore(entry.link, new MemorySignatureStore()),
    );
    const now = Date.now();
    await one?.remember('token_a', [{ id: 'call_1', signature: 'c2lnbmF0dXJl' }], now);
    assert.deepEqual(
      [...((await two?.recall('token_a', ['call_1', 'call_2'], now)) ?? [])],
      [['call_1', 'c2lnbmF0dXJl']],
    );
    assert.equal((await two?.recall('token_b', ['call_1'], now))?.size, 0, 'another owner sees nothing');
    await redis.stop();
    try {
      assert.equal(
        (await one?.recall('token_a', ['call_1'], now))?.get('call_1'),
        'c2lnbmF0dXJl',
        'local fallback',
      );
    } finally {
      await redis.resume();
    }
  });
});
