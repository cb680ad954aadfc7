// Where sign-in returns to: this site's paths only.
import { describe, expect, test } from 'vitest';
import { safeReturnPath, signInPathFor } from './return-path.ts';

describe('safeReturnPath', () => {
  test('keeps a path of this site with its query', () => {
    expect(safeReturnPath('/grants?state=open')).toBe('/grants?state=open');
  });
  test.each([null, undefined, '', 'https://evil.example/', '//evil.example/x', '/\\evil.example', 'grants', '/sign-in?next=/x'])('refuses %s and goes home', (next) => {
    expect(safeReturnPath(next)).toBe('/');
  });
});

describe('signInPathFor', () => {
  test('remembers where we were and whether the session ended', () => {
    expect(signInPathFor('/reviews?x=1', true)).toBe('/sign-in?next=%2Freviews%3Fx%3D1&expired=1');
    expect(signInPathFor('/', false)).toBe('/sign-in');
  });
});
