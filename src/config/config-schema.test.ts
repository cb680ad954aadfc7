import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { hostAndPort } from './config-schema.ts';
import { loadConfig } from './load-config.ts';

test('the gateway listens on 127.0.0.1:7432 unless WRIT_PG_LISTEN or --pg-listen says otherwise; it advertises nothing else by default', () => {
  const defaults = loadConfig({}, {}, undefined);
  assert.equal(defaults.pgListen, '127.0.0.1:7432');
  assert.equal(defaults.pgAdvertise, undefined);
  const fromEnv = loadConfig({}, { WRIT_PG_LISTEN: '0.0.0.0:6432', WRIT_PG_ADVERTISE: 'db.example.com:5432' }, undefined);
  assert.equal(fromEnv.pgListen, '0.0.0.0:6432');
  assert.equal(fromEnv.pgAdvertise, 'db.example.com:5432');
  assert.equal(loadConfig({ pgListen: '[::1]:7433' }, { WRIT_PG_LISTEN: '0.0.0.0:6432' }, undefined).pgListen, '[::1]:7433');
});

test('a gateway address that is not HOST:PORT, or whose port is out of range, is refused naming its variable', () => {
  for (const [name, value] of [['WRIT_PG_LISTEN', '7432'], ['WRIT_PG_LISTEN', 'localhost:99999'], ['WRIT_PG_ADVERTISE', 'db.example.com:0'], ['WRIT_PG_ADVERTISE', 'db.example.com']] as const) {
    assert.throws(
      () => loadConfig({}, { [name]: value }, undefined),
      (error) => isAppError(error, 'config_invalid') && error.message.includes(`(${name})`),
      `${name}=${value}`,
    );
  }
});

test('hostAndPort splits names, IPv4 and bracketed IPv6', () => {
  assert.deepEqual(hostAndPort('db.example.com:5432'), { host: 'db.example.com', port: 5432 });
  assert.deepEqual(hostAndPort('0.0.0.0:7432'), { host: '0.0.0.0', port: 7432 });
  assert.deepEqual(hostAndPort('[::1]:7432'), { host: '::1', port: 7432 });
});

test('the gateway\'s pre-authentication limits have small defaults and come from WRIT_PG_* variables', () => {
  const defaults = loadConfig({}, {}, undefined);
  assert.deepEqual(
    [defaults.pgStartupTimeoutMs, defaults.pgMaxStarting, defaults.pgMaxStartingPerSource, defaults.pgMaxPreAuthMessageBytes, defaults.pgRefusalSummarySeconds],
    [5000, 512, 32, 8192, 60],
  );
  const fromEnv = loadConfig({}, { WRIT_PG_STARTUP_TIMEOUT_MS: '3000', WRIT_PG_MAX_STARTING_PER_SOURCE: '8', WRIT_PG_MAX_PREAUTH_MESSAGE_BYTES: '4096' }, undefined);
  assert.deepEqual([fromEnv.pgStartupTimeoutMs, fromEnv.pgMaxStartingPerSource, fromEnv.pgMaxPreAuthMessageBytes], [3000, 8, 4096]);
  assert.throws(() => loadConfig({}, { WRIT_PG_MAX_PREAUTH_MESSAGE_BYTES: String(64 * 1024 * 1024) }, undefined));
});
