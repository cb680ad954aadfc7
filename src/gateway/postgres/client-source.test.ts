import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientSource } from './client-source.ts';

test('an IPv4 address (also mapped into IPv6) counts alone; an IPv6 address counts under its /64', () => {
  assert.deepEqual(clientSource('127.0.0.2'), { kind: 'address', address: '127.0.0.2' });
  assert.deepEqual(clientSource('::ffff:10.1.2.3'), { kind: 'address', address: '10.1.2.3' });
  assert.deepEqual(clientSource('2001:db8:0:1:aa::5'), { kind: 'ipv6_prefix', address: '2001:db8:0:1::' });
  assert.deepEqual(clientSource('2001:DB8:0:1:ffff:ffff:ffff:ffff'), { kind: 'ipv6_prefix', address: '2001:db8:0:1::' });
  assert.deepEqual(clientSource('::1'), { kind: 'ipv6_prefix', address: '0:0:0:0::' });
  assert.deepEqual(clientSource('fe80::1%eth0'), { kind: 'ipv6_prefix', address: 'fe80:0:0:0::' });
  assert.equal(clientSource(undefined), undefined);
});
