// Tests of the backend encoders: pg-protocol's own Parser (what node-postgres runs) reads every message Writ writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import {
  BackendMessageType,
  BackendProtocolError,
  authenticationCleartextPassword,
  authenticationOk,
  authenticationSasl,
  authenticationSaslContinue,
  authenticationSaslFinal,
  backendKeyData,
  commandComplete,
  decodeErrorFields,
  emptyQueryResponse,
  errorResponse,
  negotiateProtocolVersion,
  noticeResponse,
  parameterStatus,
  readyForQuery,
  sslResponse,
} from './backend-messages.ts';

/** Parses with pg-protocol, fed in two halves so framing is tested too; messages come back as plain records. */
function parsed(...messages: Buffer[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const parser = new Parser();
  const whole = Buffer.concat(messages);
  const half = Math.floor(whole.length / 2);
  for (const piece of [whole.subarray(0, half), whole.subarray(half)]) {
    parser.parse(piece, (msg: BackendMessage) => {
      const record: Record<string, unknown> = Object.assign<Record<string, unknown>, BackendMessage>({}, msg);
      if (msg instanceof Error) record['message'] = msg.message;
      out.push(record);
    });
  }
  return out;
}

test('authentication messages read as node-postgres reads them', () => {
  const [ok, clear, sasl, cont, fin] = parsed(
    authenticationOk(),
    authenticationCleartextPassword(),
    authenticationSasl(['SCRAM-SHA-256']),
    authenticationSaslContinue(Buffer.from('r=abc,s=c2FsdA==,i=4096')),
    authenticationSaslFinal(Buffer.from('v=c2lnbmF0dXJl')),
  );
  assert.deepEqual(ok, { name: 'authenticationOk', length: 8 });
  assert.deepEqual(clear, { name: 'authenticationCleartextPassword', length: 8 });
  assert.deepEqual(sasl, { name: 'authenticationSASL', length: 23, mechanisms: ['SCRAM-SHA-256'] });
  assert.deepEqual(cont, { name: 'authenticationSASLContinue', length: 31, data: 'r=abc,s=c2FsdA==,i=4096' });
  assert.deepEqual(fin, { name: 'authenticationSASLFinal', length: 22, data: 'v=c2lnbmF0dXJl' });
  assert.deepEqual(parsed(authenticationSasl(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']))[0]?.['mechanisms'], ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
});

test('session start and query messages read as node-postgres reads them', () => {
  const messages = parsed(
    parameterStatus('server_version', '17.2'),
    backendKeyData(4242, Buffer.from([0, 0, 0, 7])),
    readyForQuery('I'),
    readyForQuery('T'),
    readyForQuery('E'),
    commandComplete('INSERT 0 1'),
    emptyQueryResponse(),
  );
  assert.deepEqual(
    messages.map((m) => ({ ...m, length: undefined })),
    [
      { name: 'parameterStatus', parameterName: 'server_version', parameterValue: '17.2', length: undefined },
      { name: 'backendKeyData', processID: 4242, secretKey: 7, length: undefined },
      { name: 'readyForQuery', status: 'I', length: undefined },
      { name: 'readyForQuery', status: 'T', length: undefined },
      { name: 'readyForQuery', status: 'E', length: undefined },
      { name: 'commandComplete', text: 'INSERT 0 1', length: undefined },
      { name: 'emptyQuery', length: undefined },
    ],
  );
  assert.deepEqual(backendKeyData(1, Buffer.alloc(32, 9)).subarray(9), Buffer.alloc(32, 9), 'protocol 3.2 keys up to 256 bytes');
});

test('ErrorResponse and NoticeResponse carry S, V, C, M, D and H as PostgreSQL writes them', () => {
  const fields = { severity: 'FATAL', code: '28P01', message: 'password authentication failed for user "ü"', detail: 'd', hint: 'h' } as const;
  const [error, notice] = parsed(errorResponse(fields), noticeResponse({ severity: 'WARNING', code: '01000', message: 'careful' }));
  assert.ok(error && notice);
  assert.equal(error['name'], 'error');
  assert.equal(error['severity'], 'FATAL');
  assert.equal(error['code'], '28P01');
  assert.equal(error['message'], 'password authentication failed for user "ü"');
  assert.equal(error['detail'], 'd');
  assert.equal(error['hint'], 'h');
  assert.equal(notice['name'], 'notice');
  assert.equal(notice['message'], 'careful');
  const body = errorResponse(fields).subarray(5);
  assert.deepEqual([...decodeErrorFields(body)], [['S', 'FATAL'], ['V', 'FATAL'], ['C', '28P01'], ['M', fields.message], ['D', 'd'], ['H', 'h']]);
  assert.deepEqual([...decodeErrorFields(noticeResponse({ severity: 'NOTICE', code: '00000', message: 'm' }).subarray(5)).keys()], ['S', 'V', 'C', 'M']);
});

test('sslResponse is one byte; NegotiateProtocolVersion carries the 3.x code libpq compares', () => {
  assert.deepEqual(sslResponse(true), Buffer.from('S'));
  assert.deepEqual(sslResponse(false), Buffer.from('N'));
  const negotiate = negotiateProtocolVersion(0, ['_pq_.a', '_pq_.b']);
  assert.equal(negotiate[0], BackendMessageType.NegotiateProtocolVersion);
  assert.equal(negotiate.readInt32BE(1), negotiate.length - 1);
  assert.equal(negotiate.readInt32BE(5), 0x00030000);
  assert.equal(negotiate.readInt32BE(9), 2);
  assert.deepEqual(negotiate.subarray(13), Buffer.from('_pq_.a\0_pq_.b\0'));
  assert.equal(negotiateProtocolVersion(2, []).readInt32BE(5), 0x00030002);
});

test('encoders refuse what would corrupt the stream', () => {
  assert.throws(() => errorResponse({ severity: 'ERROR', code: '42p01', message: 'm' }), /SQLSTATE "42p01"/);
  assert.throws(() => errorResponse({ severity: 'ERROR', code: '4200', message: 'm' }), RangeError);
  assert.throws(() => errorResponse({ severity: 'ERROR', code: '42000', message: 'a\0b' }), /NUL/);
  assert.throws(() => parameterStatus('a\0', 'b'), /NUL/);
  assert.throws(() => commandComplete('SELECT\0'), /NUL/);
  assert.throws(() => backendKeyData(1, Buffer.alloc(3)), /4 to 256 bytes, not 3/);
  assert.throws(() => backendKeyData(1, Buffer.alloc(257)), RangeError);
  assert.throws(() => authenticationSasl([]), RangeError);
  assert.throws(() => negotiateProtocolVersion(-1, []), RangeError);
});

test('decodeErrorFields refuses bodies without their terminator or with trailing bytes', () => {
  assert.throws(() => decodeErrorFields(Buffer.from('SERROR\0')), BackendProtocolError);
  assert.throws(() => decodeErrorFields(Buffer.from('SERROR')), /S is not NUL-terminated/);
  assert.throws(() => decodeErrorFields(Buffer.from('SERROR\0\0x')), /1 bytes after/);
  assert.throws(() => decodeErrorFields(Buffer.alloc(0)), /terminating NUL/);
  assert.equal(decodeErrorFields(Buffer.from([0x4d, 0xff, 0x61, 0, 0])).get('M'), '\ufffda');
});
