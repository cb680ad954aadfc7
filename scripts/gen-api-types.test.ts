// The dashboard's committed API types match the routes: a route change without `npm run gen:api` fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { API_TYPES_FILE, generateApiTypes } from './gen-api-types.ts';

test('web/src/api/schema.d.ts is what npm run gen:api writes today', async () => {
  const committed = readFileSync(API_TYPES_FILE, 'utf8');
  const current = await generateApiTypes();
  assert.ok(current.includes('"/api/v1/requests"'), 'the generated types describe the access API');
  assert.ok(committed === current, 'web/src/api/schema.d.ts is out of date: run npm run gen:api and commit it');
});
