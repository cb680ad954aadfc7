import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultIdentitySettings, identitySettingsFromConfig } from './identity-settings.ts';

test('defaults: 30 min idle, 12 h absolute, OWASP argon2id, token use recorded hourly', () => {
  assert.equal(defaultIdentitySettings.session.idleMs, 30 * 60_000);
  assert.equal(defaultIdentitySettings.session.absoluteMs, 12 * 3_600_000);
  assert.deepEqual(defaultIdentitySettings.argon2, { memoryKiB: 19_456, timeCost: 2, parallelism: 1 });
  assert.equal(defaultIdentitySettings.tokenUseRecordIntervalMs, 3_600_000);
});

test('configured session timeouts replace the defaults; absent ones keep them', () => {
  const settings = identitySettingsFromConfig({ sessionIdleMinutes: 15, sessionAbsoluteHours: undefined });
  assert.equal(settings.session.idleMs, 15 * 60_000);
  assert.equal(settings.session.absoluteMs, 12 * 3_600_000);
  assert.equal(identitySettingsFromConfig({ sessionAbsoluteHours: 8 }).session.absoluteMs, 8 * 3_600_000);
});
