import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_TYPE_PATTERN, MAX_EVENT_TYPE_LENGTH } from '../event-schema.ts';
import { accessEvents } from './access-events.ts';
import { authEvents } from './auth-events.ts';
import { gatewayEvents } from './gateway-events.ts';
import { identityEvents } from './identity-events.ts';
import { eventCatalogue, findEventDefinition } from './index.ts';
import { ledgerEvents } from './ledger-events.ts';

test('every catalogue type is a well-formed Writ name in its family, defined once', () => {
  const families = { ledger: ledgerEvents, auth: authEvents, identity: identityEvents, access: accessEvents, gateway: gatewayEvents };
  for (const [family, definitions] of Object.entries(families)) {
    assert.ok(definitions.length >= 3, family);
    for (const definition of definitions) {
      assert.match(definition.type, EVENT_TYPE_PATTERN);
      assert.ok(definition.type.length <= MAX_EVENT_TYPE_LENGTH);
      assert.ok(definition.type.startsWith(`${family}.`), definition.type);
      assert.ok(Number.isInteger(definition.version) && definition.version >= 1);
      assert.ok(definition.description.length > 0);
    }
  }
  const types = eventCatalogue.map((definition) => definition.type);
  assert.equal(new Set(types).size, types.length);
  assert.equal(types.length, Object.values(families).flat().length);
});

test('the issue names its examples; lookups find catalogue types only', () => {
  for (const type of ['access.request.created', 'auth.login.failed', 'gateway.statement.executed']) {
    assert.equal(findEventDefinition(type)?.type, type);
  }
  assert.equal(findEventDefinition('app.document.viewed'), undefined);
  assert.equal(findEventDefinition('toString'), undefined);
});

test('data schemas are strict and bounded', () => {
  const statement = findEventDefinition('gateway.statement.executed');
  assert.ok(statement !== undefined);
  const good = {
    sessionId: 's1',
    grantId: 'g1',
    requestId: 'r1',
    resourceId: 'pg-prod',
    level: 'read-only',
    statementIndex: 0,
    protocol: 'simple',
    sql: 'SELECT 1',
    sqlSha256: '4ATr1bVTKkuFmEpi+K1IqBqjRgwcoHcB84YTXXLN7PU=',
    statementKinds: ['SelectStmt'],
    parameterCount: 2,
    parameters: [null, '42'],
  };
  assert.ok(statement.data.safeParse(good).success);
  assert.equal(statement.data.safeParse({ ...good, sql: 'x'.repeat(32_769) }).success, false);
  assert.equal(statement.data.safeParse({ ...good, secret: 'pw' }).success, false);
  const grant = findEventDefinition('access.grant.created');
  const times = { grantId: 'g1', requestId: 'r1', resourceId: 'pg-prod', level: 'read-only', breakGlass: false, startsAt: '2026-11-25T20:00:00+01:00', endsAt: '2026-11-25T20:00:00Z' };
  assert.deepEqual(grant?.data.parse(times), { ...times, startsAt: '2026-11-25T19:00:00.000Z', endsAt: '2026-11-25T20:00:00.000Z' });
});
