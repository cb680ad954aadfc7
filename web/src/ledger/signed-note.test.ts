// The browser's signed-note checks: C2SP's example note verifies with its key and fails after any one-character change.
import { describe, expect, test } from 'vitest';
import { parseVerifierKey, splitNote, verifyNote, type VerifierKey } from './signed-note.ts';

const KEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const NOTE = 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

async function exampleKey(): Promise<VerifierKey> {
  const parsed = await parseVerifierKey(KEY);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

describe('verifier keys', () => {
  test('the spec example parses, with its name and key ID', async () => {
    const key = await exampleKey();
    expect([key.name, key.keyId, key.publicKey.length]).toEqual(['example.com/foo', '530d903a', 32]);
  });
  test('a wrong key ID, a wrong type byte or a wrong form are refused with the reason', async () => {
    expect(await parseVerifierKey(KEY.replace('530d903a', '530d903b'))).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') as unknown });
    expect(await parseVerifierKey('example.com/foo+530d903a+BekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k')).toMatchObject({ ok: false });
    expect(await parseVerifierKey('example.com/foo')).toMatchObject({ ok: false, reason: expect.stringContaining('<name>+<key ID>') as unknown });
  });
});

describe('notes', () => {
  test('the spec example verifies', async () => {
    expect(await verifyNote(NOTE, await exampleKey())).toMatchObject({ kind: 'verified', text: 'This is an example message.\n' });
  });

  test('every one-character change of the text or signature is refused', async () => {
    const key = await exampleKey();
    const changes = new Set<string>();
    for (let i = 0; i < NOTE.length - 1; i += 1) {
      const c = NOTE[i] ?? '';
      const replacement = c === 'A' ? 'B' : c === '\n' ? 'x' : c === 'x' ? 'y' : 'A';
      changes.add(NOTE.slice(0, i) + replacement + NOTE.slice(i + 1));
    }
    for (const changed of changes) expect((await verifyNote(changed, key)).kind, JSON.stringify(changed)).not.toBe('verified');
  });

  test('the failure says which: malformed, unknown key, bad signature', async () => {
    const key = await exampleKey();
    expect((await verifyNote('no blank line\n', key)).kind).toBe('malformed');
    expect((await verifyNote(NOTE.replace('example.com/foo Uw2Q', 'example.com/bar Uw2Q'), key)).kind).toBe('unknown-key');
    expect((await verifyNote(NOTE.replace('example message', 'example messagf'), key)).kind).toBe('bad-signature');
  });

  test('other signature lines are ignored; the text is up to the newline before the blank line', async () => {
    const withOther = `${NOTE}— witness.example/w1 AAAAAAAAAAAAAAAAAAAA\n`;
    const split = splitNote(withOther);
    expect(split.ok && split.value.signatures.map((s) => s.name)).toEqual(['example.com/foo', 'witness.example/w1']);
    expect((await verifyNote(withOther, await exampleKey())).kind).toBe('verified');
  });
});
