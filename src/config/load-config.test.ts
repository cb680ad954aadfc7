import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { loadConfig } from './load-config.ts';

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'writ-config-')), 'writ.yaml');
  writeFileSync(path, text);
  return path;
}

test('flags win over WRIT_* variables, which win over the config file, which wins over defaults', () => {
  const file = configFile('dataDir: /from/file\nlisten: 127.0.0.1:9000\ndurability: full\nsequencerPollMs: 20\n');
  const config = loadConfig({ dataDir: '/from/flag' }, { WRIT_DATA: '/from/env', WRIT_LISTEN: '0.0.0.0:8080' }, file);
  assert.equal(config.dataDir, '/from/flag');
  assert.equal(config.listen, '0.0.0.0:8080');
  assert.equal(config.durability, 'full');
  assert.equal(config.sequencerPollMs, 20);
  assert.equal(config.logLevel, 'info');
  assert.ok(Object.isFrozen(config));
});

test('defaults: SQLite in ./.writ, normal durability, 127.0.0.1:7070', () => {
  const config = loadConfig({}, {}, undefined);
  assert.equal(config.dataDir, './.writ');
  assert.equal(config.pgUrl, undefined);
  assert.equal(config.durability, 'normal');
  assert.equal(config.listen, '127.0.0.1:7070');
});

test('a bad setting is refused naming the setting and its variable', () => {
  assert.throws(
    () => loadConfig({}, { WRIT_DURABILITY: 'sometimes', WRIT_PG_URL: 'mysql://x' }, undefined),
    (error) => isAppError(error, 'config_invalid') && /durability \(WRIT_DURABILITY\)/.test(error.message) && /pgUrl \(WRIT_PG_URL\)/.test(error.message),
  );
  assert.throws(() => loadConfig({}, {}, configFile('unknownSetting: 1\n')), (error) => isAppError(error, 'config_invalid') && /unknownSetting/.test(error.message));
  assert.throws(() => loadConfig({}, {}, configFile('- a list\n')), (error) => isAppError(error, 'config_invalid') && /mapping/.test(error.message));
  assert.throws(() => loadConfig({}, {}, '/no/such/writ.yaml'), (error) => isAppError(error, 'config_invalid') && /cannot read/.test(error.message));
  assert.throws(() => loadConfig({ logOrigin: 'has space' }, {}, undefined), (error) => isAppError(error, 'config_invalid') && /logOrigin/.test(error.message));
});
