// Tests of the witness policy: parsing (and its refusals), quorum rules, and checking cosigned checkpoints.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { formatCheckpoint } from './checkpoint.ts';
import { cosignCheckpoint, createCosigner } from './cosignature.ts';
import { createSigner, generateSignerKey, signNote } from './signed-note.ts';
import { checkCheckpointWithPolicy, parseWitnessPolicy, quorumMet, withCosignatures } from './witness-policy.ts';

const log = createSigner(generateSignerKey('audit.example.com/writ').signerKey);
const witnessKey = (name: string): ReturnType<typeof createCosigner> => createCosigner(generateSignerKey(name).signerKey);
const w1 = witnessKey('w1.example.com');
const w2 = witnessKey('w2.example.com');
const w3 = witnessKey('w3.example.com');
const TEXT = formatCheckpoint({ origin: log.name, size: 3, rootHash: Buffer.from('lPvQ3YNvUDAWkubQ6t5yjuGexSv/8WBu2AfIV11aqhk=', 'base64'), extensions: [] });
const NOTE = signNote(TEXT, [log]);

function policy(quorumLines: string): string {
  return [
    '# the audit log and three witnesses',
    `log ${log.verifierKey} https://audit.example.com/log`,
    `witness a ${w1.verifierKey} http://127.0.0.1:7081`,
    `witness b ${w2.verifierKey}`,
    `witness c ${w3.verifierKey} https://w3.example.com`,
    quorumLines,
    '',
  ].join('\n');
}

function refusal(text: string): string {
  try {
    parseWitnessPolicy(text);
  } catch (error) {
    assert.ok(isAppError(error, 'invalid_input'), String(error));
    return error.message;
  }
  assert.fail('the policy was accepted');
}

test('a policy parses logs, witnesses with URLs, groups and the quorum', () => {
  const parsed = parseWitnessPolicy(policy('group two 2 a b c\nquorum two'));
  assert.equal(parsed.logs[0]?.url, 'https://audit.example.com/log');
  assert.deepEqual(parsed.witnesses.map((w) => [w.name, w.url]), [['a', 'http://127.0.0.1:7081'], ['b', undefined], ['c', 'https://w3.example.com']]);
  assert.equal(parsed.quorum.kind, 'group');
  assert.equal(quorumMet(parsed.quorum, new Set(['a'])), false);
  assert.equal(quorumMet(parsed.quorum, new Set(['a', 'c'])), true);
});

test('nested groups: all of {any of (a, b), c}', () => {
  const parsed = parseWitnessPolicy(policy('group ab any a b\ngroup top all ab c\nquorum top'));
  assert.equal(quorumMet(parsed.quorum, new Set(['a', 'b'])), false);
  assert.equal(quorumMet(parsed.quorum, new Set(['b', 'c'])), true);
  assert.equal(quorumMet(parseWitnessPolicy(policy('quorum none')).quorum, new Set()), true);
});

test('bad policies are refused with the line and the reason', () => {
  assert.match(refusal(policy('quorum nobody')), /line 6: the quorum names "nobody", which is not defined/);
  assert.match(refusal(policy('group g 4 a b c\nquorum g')), /threshold 4 is more than the group's 3 members/);
  assert.match(refusal(policy('group g 2 a d\nquorum g')), /names "d", which is not defined above it/);
  assert.match(refusal(policy('group a any b\nquorum a')), /"a" is defined twice/);
  assert.match(refusal(policy('quorum a\nquorum b')), /the quorum is given twice/);
  assert.match(refusal(policy('')), /no quorum/);
  assert.match(refusal(`witness a ${w1.verifierKey}\nquorum a\n`), /names no log/);
  assert.match(refusal(policy('quorum a').replace(w2.verifierKey, log.verifierKey)), /line 4: the witness verifier key .* must end with base64 of 0x04/);
  assert.match(refusal(policy('quorum a').replace('http://127.0.0.1:7081', 'ftp://x')), /must be http or https/);
  assert.match(refusal(policy('quorum a\nwitnesses x y')), /unknown keyword "witnesses"/);
  assert.match(refusal('#'.repeat(70_000)), /larger than 65536 bytes/);
});

test('a checkpoint passes only with its quorum of valid cosignatures', () => {
  const parsed = parseWitnessPolicy(policy('group two 2 a b c\nquorum two'));
  const one = withCosignatures(NOTE, [cosignCheckpoint(w1, TEXT, 1_700_000_000)]);
  assert.throws(() => checkCheckpointWithPolicy(one, parsed), /needs 2 of \{a, b, c\}, and is cosigned by a$/);
  const two = withCosignatures(one, [cosignCheckpoint(w3, TEXT, 1_700_000_005)]);
  const check = checkCheckpointWithPolicy(two, parsed);
  assert.deepEqual(check.cosigners, ['a', 'c']);
  assert.equal(check.cosignedAtSeconds.get('c'), 1_700_000_005);
  assert.equal(check.checkpoint.size, 3);
});

test('a bad cosignature of a policy witness fails; one of an unknown witness is ignored', () => {
  const parsed = parseWitnessPolicy(policy('quorum a'));
  const stranger = witnessKey('w1.example.com');
  const forged = withCosignatures(NOTE, [cosignCheckpoint(stranger, TEXT, 1)]);
  assert.throws(() => checkCheckpointWithPolicy(forged, parsed), /lacks the witness quorum/);
  const otherText = TEXT.replace('\n3\n', '\n4\n');
  const wrong = withCosignatures(NOTE, [cosignCheckpoint(w1, otherText, 1)]);
  assert.throws(() => checkCheckpointWithPolicy(wrong, parsed), /cosignature of witness "a" does not verify/);
});

test('a checkpoint not signed by a policy log is refused', () => {
  const other = createSigner(generateSignerKey('audit.example.com/writ').signerKey);
  const note = withCosignatures(signNote(TEXT, [other]), [cosignCheckpoint(w1, TEXT, 1)]);
  assert.throws(() => checkCheckpointWithPolicy(note, parseWitnessPolicy(policy('quorum a'))), /no signature by a known key/);
});
