import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { createSigner, createVerifier, decodeBase64Strict, generateSignerKey, isValidKeyName, openNote, signNote } from './signed-note.ts';
import type { NoteSigner } from './signed-note.ts';

// C2SP signed-note's example, and the example of Go's golang.org/x/mod/sumdb/note documentation.
const SPEC_VERIFIER = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE =
  'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
const GO_SIGNER = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VERIFIER = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

const invalid = (e: unknown): boolean => isAppError(e, 'invalid_input');

test('the spec example note verifies with the spec example key', () => {
  const verifier = createVerifier(SPEC_VERIFIER);
  assert.equal(verifier.name, 'example.com/foo');
  assert.equal(verifier.keyId, 0x530d903a);
  const opened = openNote(SPEC_NOTE, [verifier]);
  assert.equal(opened.text, 'This is an example message.\n');
  assert.deepEqual(opened.verifiedBy, [verifier]);
  assert.deepEqual(opened.unverified, []);
});

test('any one-character change or deletion of the spec example note rejects it', () => {
  const verifier = createVerifier(SPEC_VERIFIER);
  const chars = Array.from(SPEC_NOTE);
  let variants = 0;
  for (let i = 0; i < chars.length; i++) {
    const original = chars[i] ?? '';
    const replacements = ['A', 'B', 'a', '/', '=', ' ', '\n', '\u2014', ''].filter((c) => c !== original);
    for (const replacement of replacements) {
      const changed = [...chars.slice(0, i), replacement, ...chars.slice(i + 1)].join('');
      assert.throws(() => openNote(changed, [verifier]), invalid, `position ${i}: ${JSON.stringify(original)} → ${JSON.stringify(replacement)}`);
      variants++;
    }
  }
  assert.ok(variants > 1000);
});

test('signing reproduces the Go sumdb/note example byte for byte, and it opens', () => {
  const signer = createSigner(GO_SIGNER);
  assert.equal(signer.name, 'PeterNeumann');
  assert.equal(signer.keyId, 0xc74f20a3);
  assert.equal(signer.verifierKey, GO_VERIFIER);
  assert.equal(signNote(GO_TEXT, [signer]), GO_NOTE);
  assert.equal(openNote(GO_NOTE, [createVerifier(GO_VERIFIER)]).text, GO_TEXT);
});

test('generated keys sign and open; unknown signatures are listed but not trusted', () => {
  const log = generateSignerKey('audit.example.com/writ');
  const witness = generateSignerKey('witness.example');
  assert.match(log.signerKey, /^PRIVATE\+KEY\+audit\.example\.com\/writ\+[0-9a-f]{8}\+/);
  const signer = createSigner(log.signerKey);
  assert.equal(signer.verifierKey, log.verifierKey);
  const text = 'audit.example.com/writ\n7\nAAAA\n\nsecond paragraph ünïcödé\n';
  const note = signNote(text, [signer, createSigner(witness.signerKey)]);
  const opened = openNote(note, [createVerifier(log.verifierKey)]);
  assert.equal(opened.text, text);
  assert.equal(opened.verifiedBy.length, 1);
  assert.deepEqual(opened.unverified, [{ name: 'witness.example', keyId: createVerifier(witness.verifierKey).keyId }]);
  const both = openNote(note, [createVerifier(witness.verifierKey), createVerifier(log.verifierKey)]);
  assert.deepEqual(both.verifiedBy.map((v) => v.name), ['audit.example.com/writ', 'witness.example']);
  assert.throws(() => openNote(note, [createVerifier(SPEC_VERIFIER)]), invalid);
  assert.throws(() => openNote(note, []), invalid);
});

test('a bad or repeated signature from a known key rejects the note', () => {
  const key = generateSignerKey('log.example');
  const other = generateSignerKey('log.example');
  const signer = createSigner(key.signerKey);
  const verifier = createVerifier(key.verifierKey);
  const note = signNote('hello\n', [signer]);
  const [, line = ''] = note.split('\n\n');
  const forged: NoteSigner = { ...signer, sign: (message) => createSigner(other.signerKey).sign(message) };
  assert.throws(() => openNote(signNote('hello\n', [forged]), [verifier]), /invalid signature by log\.example\+/);
  assert.throws(() => openNote(`${note}${line}`, [verifier]), /two signatures/);
  const foreign = signNote('hello\n', [createSigner(other.signerKey)]).split('\n\n')[1] ?? '';
  const opened = openNote(`${note}${foreign}`, [verifier]);
  assert.equal(opened.unverified.length, 1);
});

test('malformed notes are rejected', () => {
  const signer = createSigner(generateSignerKey('log.example').signerKey);
  const verifier = createVerifier(signer.verifierKey);
  const good = signNote('hello\n', [signer]);
  const [, sigLine = ''] = good.split('\n\n');
  const cases = [
    'hello\n',
    'hello\n\n',
    good.slice(0, -1),
    `${good}\n`,
    `hello\r\n\n${sigLine}`,
    `hel\u0000lo\n\n${sigLine}`,
    `hello\n\n${sigLine.replace('— ', '- ')}`,
    `hello\n\n${sigLine.replace(' ', '  ')}`,
    `hello\n\n— log.example\n`,
    `hello\n\n— log.example AAAA\n`,
    `\ud800hello\n\n${sigLine}`,
    `hello\n\n${sigLine.repeat(101)}`,
  ];
  for (const note of cases) assert.throws(() => openNote(note, [verifier]), invalid, JSON.stringify(note.slice(0, 40)));
  assert.equal(openNote(`hello\n\n${sigLine.repeat(1)}`, [verifier]).text, 'hello\n');
});

test('signing refuses bad text and bad signer lists', () => {
  const signer = createSigner(generateSignerKey('log.example').signerKey);
  for (const text of ['', 'no newline', 'tab\there\n', '\ud800\n']) assert.throws(() => signNote(text, [signer]), invalid, JSON.stringify(text));
  assert.throws(() => signNote('ok\n', []), invalid);
  assert.throws(() => signNote('ok\n', [signer, signer]), invalid);
  assert.throws(() => signNote('ok\n', [{ ...signer, name: 'bad name' }]), invalid);
  assert.ok(signNote('\n', [signer]).startsWith('\n\n— log.example '));
});

test('key names and key strings are validated', () => {
  for (const name of ['', 'a+b', 'a b', 'a\tb', 'a\u00a0b', 'a\u2028b', 'a\u3000b', 'a\nb', 'a\u0001b']) {
    assert.ok(!isValidKeyName(name), JSON.stringify(name));
    assert.throws(() => generateSignerKey(name), invalid);
  }
  assert.ok(isValidKeyName('audit.example.com/writ'));
  const { signerKey, verifierKey } = generateSignerKey('log.example');
  const [, , , id = '', key = ''] = signerKey.split('+', 5);
  const badSigners = [
    signerKey.replace('PRIVATE+KEY', 'PUBLIC+KEY'),
    signerKey.replace(id, '00000000'),
    signerKey.replace(id, id.toUpperCase() === id ? 'zzzzzzzz' : id.toUpperCase()),
    signerKey.slice(0, -2),
    `${signerKey}=`,
    signerKey.replace(`+${id}+A`, `+${id}+B`),
    'PRIVATE+KEY+log.example',
    '',
  ];
  for (const bad of badSigners) assert.throws(() => createSigner(bad), invalid, bad);
  const badVerifiers = [
    verifierKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'),
    verifierKey.slice(0, -1),
    `x${verifierKey}`,
    'log.example+12345678',
    verifierKey.replace('+A', '+B'),
    SPEC_VERIFIER.replace('Aeky', 'Aekz'),
  ];
  for (const bad of badVerifiers) assert.throws(() => createVerifier(bad), invalid, bad);
  assert.ok(key.length > 0);
});

test('strict base64 refuses other spellings of the same bytes', () => {
  assert.deepEqual(decodeBase64Strict('AAE='), Buffer.from([0, 1]));
  for (const bad of ['AAF=', 'AAE', 'AA E=', 'AAE=\n', 'A===', '-_8=', 'AAE==']) assert.equal(decodeBase64Strict(bad), undefined, bad);
  assert.deepEqual(decodeBase64Strict(''), Buffer.alloc(0));
});
