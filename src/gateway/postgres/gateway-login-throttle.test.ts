import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultLoginThrottle } from '../../identity/login-throttle.ts';
import { createManualClock } from '../../shared/clock.ts';
import { createGatewayLoginThrottle } from './gateway-login-throttle.ts';

test('after 5 failures under one name from one source the next attempt from it must wait 1 s after the last, then 2 s, ...; success clears it', () => {
  const clock = createManualClock(1_000_000);
  const throttle = createGatewayLoginThrottle(clock, defaultLoginThrottle, 100);
  for (let i = 0; i < 5; i++) {
    assert.equal(throttle.waitMs('Alice', '10.0.0.1'), 0);
    throttle.failed('Alice', '10.0.0.1');
  }
  assert.equal(throttle.waitMs(' alice ', '10.0.0.1'), 1000, 'the name is folded as for HTTP sign-ins');
  assert.equal(throttle.waitMs('alice', '10.0.0.9'), 0, "another source is not held back by the first one's failures under the name");
  clock.advanceMs(1000);
  assert.equal(throttle.waitMs('alice', '10.0.0.1'), 0);
  throttle.failed('alice', '10.0.0.1');
  assert.equal(throttle.waitMs('alice', '10.0.0.1'), 2000);
  throttle.succeeded('alice', '10.0.0.1');
  assert.equal(throttle.waitMs('alice', '10.0.0.1'), 0);
});

test('a source is throttled after 20 failures across names; failures older than the window are forgotten', () => {
  const clock = createManualClock(0);
  const throttle = createGatewayLoginThrottle(clock, defaultLoginThrottle, 1000);
  for (let i = 0; i < 20; i++) throttle.failed(`user${i}`, '10.0.0.1');
  assert.equal(throttle.waitMs('someone-new', '10.0.0.1'), 1000);
  assert.equal(throttle.waitMs('someone-new', '10.0.0.2'), 0);
  clock.advanceMs(defaultLoginThrottle.windowMs);
  assert.equal(throttle.waitMs('someone-new', '10.0.0.1'), 0);
});

test('it remembers at most maxKeys names and sources', () => {
  const clock = createManualClock(0);
  const throttle = createGatewayLoginThrottle(clock, { ...defaultLoginThrottle, accountFreeFailures: 1 }, 4);
  throttle.failed('first', 's1');
  assert.ok(throttle.waitMs('first', 's1') > 0);
  throttle.failed('second', 's2');
  throttle.failed('third', 's3');
  assert.equal(throttle.waitMs('first', 's1'), 0, 'the oldest keys were forgotten');
});
