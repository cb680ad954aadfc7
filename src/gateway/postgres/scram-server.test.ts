// Tests of the SCRAM-SHA-256 server: RFC 7677's vector, candidate choice, wrong proofs, every malformed message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrontendProtocolError } from './frontend-reader.ts';
import { createScramExchange, verifyCleartextPassword } from './scram-server.ts';
import { createScramVerifier, hmacSha256, saltedPassword, sha256 } from './scram-verifier.ts';

// RFC 7677 section 3.
const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const clientFirst = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
const serverNonce = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const nonce = `rOprNGfwEbeRWgbNEkqO${serverNonce}`;
const rfcClientFinal = `c=biws,r=${nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`;
const pencil = createScramVerifier('pencil', salt, 4096);

function rfcExchange() {
  return createScramExchange({ salt, iterations: 4096, nonce: () => serverNonce });
}

/** What a SCRAM client computes: the client-final-message for `password`. */
function clientFinalFor(password: string, first: string, serverFirst: string, binding = 'biws'): string {
  const bare = first.slice(first.indexOf(',', first.indexOf(',') + 1) + 1);
  const fullNonce = /r=([^,]+)/.exec(serverFirst)?.[1] ?? '';
  const withoutProof = `c=${binding},r=${fullNonce}`;
  const clientKey = hmacSha256(saltedPassword(password, salt, 4096), 'Client Key');
  const signature = hmacSha256(sha256(clientKey), `${bare},${serverFirst},${withoutProof}`);
  const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] ?? 0)));
  return `${withoutProof},p=${proof.toString('base64')}`;
}

function assertProtocolError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => error instanceof FrontendProtocolError && pattern.test(error.message));
}

test("RFC 7677's exchange: the server-first-message, the proof accepted, the server signature", () => {
  const exchange = rfcExchange();
  const serverFirst = exchange.serverFirst(Buffer.from(clientFirst));
  assert.equal(serverFirst.toString(), `r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`);
  const result = exchange.verifyClientFinal(Buffer.from(rfcClientFinal), [pencil]);
  assert.deepEqual(result, { ok: true, index: 0, serverFinal: Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=') });
});

test('the proof picks the one candidate it was made from', () => {
  const candidates = ['alpha', 'beta', 'pencil', 'gamma'].map((p) => createScramVerifier(p, salt, 4096));
  const exchange = rfcExchange();
  exchange.serverFirst(Buffer.from(clientFirst));
  const result = exchange.verifyClientFinal(Buffer.from(rfcClientFinal), candidates);
  assert.ok(result.ok);
  assert.equal(result.index, 2);
  const twice = rfcExchange();
  twice.serverFirst(Buffer.from(clientFirst));
  const first = twice.verifyClientFinal(Buffer.from(rfcClientFinal), [candidates[0] ?? pencil, pencil, pencil]);
  assert.equal(first.ok && first.index, 1, 'the first of equal candidates');
});

test('a wrong proof, or a proof for none of the candidates, is refused as a value', () => {
  const flipped = rfcClientFinal.replace('p=dHzb', 'p=dHzc');
  const wrong = rfcExchange();
  wrong.serverFirst(Buffer.from(clientFirst));
  assert.deepEqual(wrong.verifyClientFinal(Buffer.from(flipped), [pencil]), { ok: false, reason: 'the SCRAM proof matches none of the 1 credentials' });
  const others = rfcExchange();
  others.serverFirst(Buffer.from(clientFirst));
  const result = others.verifyClientFinal(Buffer.from(rfcClientFinal), [createScramVerifier('pen', salt, 4096)]);
  assert.equal(result.ok, false);
  const none = rfcExchange();
  none.serverFirst(Buffer.from(clientFirst));
  assert.equal(none.verifyClientFinal(Buffer.from(rfcClientFinal), []).ok, false);
});

test("a client that could bind a channel says 'y,,' and echoes eSws; its username is ignored", () => {
  const first = 'y,,n=someone=2Celse,r=clientnonce';
  const exchange = createScramExchange({ salt, iterations: 4096 });
  const serverFirst = exchange.serverFirst(Buffer.from(first)).toString();
  assert.match(serverFirst, /^r=clientnonce[A-Za-z0-9+/]{24},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096$/);
  const result = exchange.verifyClientFinal(Buffer.from(clientFinalFor('pencil', first, serverFirst, 'eSws')), [pencil]);
  assert.ok(result.ok);
});

test('malformed client-first-messages are refused with what was wrong', () => {
  const cases: [string | Buffer, RegExp][] = [
    ['p=tls-server-end-point,,n=,r=abc', /channel binding \(SCRAM-SHA-256-PLUS\), which Writ does not offer/],
    ['n,a=admin,n=,r=abc', /authorization identity \(a=\)/],
    ['x,,n=,r=abc', /starts with "x,"/],
    ['n,x,n=,r=abc', /malformed gs2 header/],
    ['n,,m=ext,n=,r=abc', /requires an extension/],
    ['n,,r=abc', /lacks a well-formed username/],
    ['n,,n=a=b,r=abc', /lacks a well-formed username/],
    ['n,,n=,r=', /lacks a printable nonce/],
    ['n,,n=,r=ab c', /lacks a printable nonce/],
    ['n,,n=,r=abé', /lacks a printable nonce/],
    ['n,,n=,s=abc', /lacks a printable nonce/],
    ['n,,n=,r=abc,x=1', /carries extensions/],
    [Buffer.from([0x6e, 0x2c, 0x2c, 0x6e, 0x3d, 0xff, 0x2c]), /not valid UTF-8/],
    ['', /starts with ""/],
  ];
  for (const [message, pattern] of cases) {
    assertProtocolError(() => rfcExchange().serverFirst(Buffer.isBuffer(message) ? message : Buffer.from(message)), pattern);
  }
});

test('malformed client-final-messages are refused; so are a wrong echo and a wrong nonce', () => {
  const proof = 'p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
  const cases: [string, RegExp][] = [
    [`c=eSws,r=${nonce},${proof}`, /channel binding check failed/],
    [`r=${nonce},${proof}`, /lacks its channel binding/],
    [`c=biws,${proof}`, /lacks its nonce/],
    [`c=biws,r=${nonce}`, /must end with its proof/],
    [`c=biws,r=${nonce},x=1,${proof}`, /must end with its proof/],
    [`c=biws,r=${nonce},${proof},x=1`, /must end with its proof/],
    [`c=biws,r=rOprNGfwEbeRWgbNEkqO,${proof}`, /nonce that does not match/],
    [`c=biws,r=${nonce}x,${proof}`, /nonce that does not match/],
    [`c=biws,r=${nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndV==`, /not 32 bytes of base64/],
    [`c=biws,r=${nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ`, /not 32 bytes of base64/],
    [`c=biws,r=${nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7And*Q=`, /not 32 bytes of base64/],
  ];
  for (const [message, pattern] of cases) {
    const exchange = rfcExchange();
    exchange.serverFirst(Buffer.from(clientFirst));
    assertProtocolError(() => exchange.verifyClientFinal(Buffer.from(message), [pencil]), pattern);
  }
});

test('the exchange runs in order, once, with candidates that share its salt', () => {
  assert.throws(() => rfcExchange().verifyClientFinal(Buffer.from(rfcClientFinal), [pencil]), /needs one serverFirst/);
  const exchange = rfcExchange();
  exchange.serverFirst(Buffer.from(clientFirst));
  assert.throws(() => exchange.serverFirst(Buffer.from(clientFirst)), /already sent/);
  assert.equal(exchange.verifyClientFinal(Buffer.from(rfcClientFinal), [pencil]).ok, true);
  assert.throws(() => exchange.verifyClientFinal(Buffer.from(rfcClientFinal), [pencil]), /runs once/);
  const other = rfcExchange();
  other.serverFirst(Buffer.from(clientFirst));
  assert.throws(() => other.verifyClientFinal(Buffer.from(rfcClientFinal), [createScramVerifier('pencil', Buffer.alloc(16), 4096)]), TypeError);
  assert.throws(() => createScramExchange({ salt, iterations: 4096, nonce: () => 'a,b' }).serverFirst(Buffer.from(clientFirst)), RangeError);
  assert.throws(() => createScramExchange({ salt, iterations: 0 }), RangeError);
});

test('verifyCleartextPassword finds the candidate a password derives, across salts', () => {
  const otherSalt = Buffer.alloc(16, 1);
  const candidates = [createScramVerifier('alpha', salt, 4096), createScramVerifier('pencil', otherSalt, 4096), pencil];
  assert.equal(verifyCleartextPassword('pencil', candidates), 1);
  assert.equal(verifyCleartextPassword('alpha', candidates), 0);
  assert.equal(verifyCleartextPassword('pencil', [pencil]), 0);
  assert.equal(verifyCleartextPassword('Pencil', candidates), undefined);
  assert.equal(verifyCleartextPassword('pencil', []), undefined);
});
