import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../../shared/app-error.ts';
import { parseDuration } from './duration-input.ts';

test('reads single units and combinations as seconds', () => {
  assert.equal(parseDuration('90m', '--for'), 5400);
  assert.equal(parseDuration('2h', '--for'), 7200);
  assert.equal(parseDuration('1d', '--for'), 86_400);
  assert.equal(parseDuration('1w', '--for'), 604_800);
  assert.equal(parseDuration('45s', '--for'), 45);
  assert.equal(parseDuration('1h30m', '--for'), 5400);
  assert.equal(parseDuration(' 2H ', '--for'), 7200);
});

test('refuses what is not a duration, naming the option and the accepted forms', () => {
  for (const bad of ['', '2', 'h', '2x', '1.5h', '-1h', '2 h', 'two hours', '1h-30m']) {
    assert.throws(
      () => parseDuration(bad, '--for'),
      (error: unknown) => isAppError(error, 'invalid_input') && error.message.startsWith('--for') && error.message.includes('such as 90m, 2h, 1d'),
      bad,
    );
  }
});

test('refuses zero and absurd lengths', () => {
  assert.throws(() => parseDuration('0m', '--by'), /--by must be longer than zero/);
  assert.throws(() => parseDuration('999999w', '--by'), /too long/);
});
