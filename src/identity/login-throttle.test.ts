import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideLoginThrottle, defaultLoginThrottle, throttleKey } from './login-throttle.ts';

const T = 1_700_000_000_000;
const none: number[] = [];

test('fewer failures than the free allowance: allowed at once', () => {
  assert.deepEqual(decideLoginThrottle({ accountMs: [T, T, T, T], ipMs: none }, T), { kind: 'allow' });
  assert.deepEqual(decideLoginThrottle({ accountMs: none, ipMs: Array<number>(19).fill(T) }, T), { kind: 'allow' });
});

test('from the fifth failure the delay doubles, counted from the last failure', () => {
  const five = [T, T, T, T, T];
  assert.deepEqual(decideLoginThrottle({ accountMs: five, ipMs: none }, T), { kind: 'delay', delayMs: 1000 });
  assert.deepEqual(decideLoginThrottle({ accountMs: [...five, T], ipMs: none }, T), { kind: 'delay', delayMs: 2000 });
  assert.deepEqual(decideLoginThrottle({ accountMs: [...five, T, T], ipMs: none }, T + 500), { kind: 'delay', delayMs: 3500 });
  assert.deepEqual(decideLoginThrottle({ accountMs: five, ipMs: none }, T + 1000), { kind: 'allow' });
});

test('beyond the longest delay the attempt is refused with a retry-after', () => {
  const nine = Array<number>(9).fill(T);
  assert.deepEqual(decideLoginThrottle({ accountMs: nine, ipMs: none }, T + 1000), { kind: 'refuse', retryAfterMs: 15_000 });
  assert.deepEqual(decideLoginThrottle({ accountMs: nine, ipMs: none }, T + 16_000), { kind: 'allow' });
  const many = Array<number>(200).fill(T);
  const decision = decideLoginThrottle({ accountMs: many, ipMs: none }, T + 1);
  assert.ok(decision.kind === 'refuse' && Number.isFinite(decision.retryAfterMs));
});

test('failures older than the window are forgotten', () => {
  const old = Array<number>(9).fill(T);
  assert.deepEqual(decideLoginThrottle({ accountMs: old, ipMs: none }, T + defaultLoginThrottle.windowMs), { kind: 'allow' });
});

test('the stricter of account and IP wins', () => {
  const ip = Array<number>(21).fill(T);
  assert.deepEqual(decideLoginThrottle({ accountMs: [T, T, T, T, T], ipMs: ip }, T), { kind: 'delay', delayMs: 2000 });
  assert.equal(decideLoginThrottle({ accountMs: Array<number>(9).fill(T), ipMs: ip }, T).kind, 'refuse');
});

test('twenty wrong passwords within a minute: the twentieth is slowed or refused', () => {
  const failures: number[] = [];
  let now = T;
  let refusedOrSlowed = 0;
  for (let attempt = 1; attempt <= 20; attempt += 1) {
    const decision = decideLoginThrottle({ accountMs: failures, ipMs: failures }, now);
    if (decision.kind === 'delay') now += decision.delayMs;
    if (decision.kind !== 'allow') refusedOrSlowed += 1;
    if (decision.kind !== 'refuse') failures.push(now);
    if (attempt === 20) assert.notEqual(decision.kind, 'allow');
    now += 100;
  }
  assert.ok(now - T < 60_000);
  assert.equal(refusedOrSlowed, 15);
});

test('the account key folds case and bounds length', () => {
  assert.equal(throttleKey('  Alice '), 'alice');
  assert.equal(throttleKey('x'.repeat(500)).length, 128);
});
