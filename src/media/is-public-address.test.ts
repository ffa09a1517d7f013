import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPublicAddress } from './is-public-address.ts';

describe('isPublicAddress', () => {
  it('allows public unicast addresses', () => {
    for (const address of [
      '8.8.8.8',
      '142.250.74.78',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
    ])
      assert.equal(isPublicAddress(address), true, address);
  });

  it('refuses private, loopback, link-local, unique-local, CGNAT, multicast and reserved addresses', () => {
    for (const address of [
      '0.0.0.0',
      '10.1.2.3',
      '100.64.0.1',
      '127.0.0.1',
      '127.9.9.9',
      '169.254.169.254',
      '172.16.0.1',
      '192.168.1.1',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '2001:db8::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a00:1',
      'not-an-address',
    ])
      assert.equal(isPublicAddress(address), false, address);
  });
});
