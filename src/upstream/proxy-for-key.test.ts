import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { proxyForKey } from './proxy-for-key.ts';

const proxies = [
  'http://10.0.0.1:3128',
  'http://10.0.0.2:3128',
  'socks5://10.0.0.3:1080',
  'http://10.0.0.4:3128',
];
const keys = Array.from({ length: 4000 }, (_, index) => fingerprintKey(`AIzaSyTESTproxy${index}`));

test('the same key always gets the same proxy, whatever the list order', () => {
  for (const key of keys.slice(0, 200)) {
    assert.equal(proxyForKey(key, proxies), proxyForKey(key, [...proxies].reverse()));
  }
});

test('keys spread evenly over the proxies', () => {
  const counts = new Map<string, number>();
  for (const key of keys)
    counts.set(proxyForKey(key, proxies)!, (counts.get(proxyForKey(key, proxies)!) ?? 0) + 1);
  assert.equal(counts.size, proxies.length);
  for (const count of counts.values()) assert.ok(Math.abs(count - 1000) < 150, `count ${count}`);
});

test('adding a proxy moves only the keys that pick the new one', () => {
  const bigger = [...proxies, 'http://10.0.0.5:3128'];
  let moved = 0;
  for (const key of keys) {
    const before = proxyForKey(key, proxies);
    const after = proxyForKey(key, bigger);
    if (before !== after) {
      moved++;
      assert.equal(after, 'http://10.0.0.5:3128');
    }
  }
  assert.ok(moved > 600 && moved < 1000, `moved ${moved} of 4000`);
});

test('no proxies, no proxy', () => {
  assert.equal(proxyForKey(keys[0]!, []), undefined);
});
