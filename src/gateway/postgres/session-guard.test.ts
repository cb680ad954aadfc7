// The server's word against Writ's judgement: reported settings and command tags that betray a differential or a write.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSessionGuard } from './session-guard.ts';

const start = new Map([['is_superuser', 'off'], ['session_authorization', 'writ_reader'], ['default_transaction_read_only', 'on']]);
const readOnly = createSessionGuard({ readOnly: true, startParameters: start });
const readWrite = createSessionGuard({ readOnly: false, startParameters: start });
const select = { statementIndex: 4, nodes: ['SelectStmt'], tagsBefore: 0 };

test('a pinned setting reported with another value is a violation on every level; the pinned value is not', () => {
  for (const guard of [readOnly, readWrite]) {
    assert.equal(guard.onParameterStatus('standard_conforming_strings', 'off')?.kind, 'pinned_setting_changed');
    assert.deepEqual(guard.onParameterStatus('client_encoding', 'SJIS')?.evidence, { parameter: 'client_encoding', value: 'SJIS' });
    assert.equal(guard.onParameterStatus('standard_conforming_strings', 'on'), undefined);
    assert.equal(guard.onParameterStatus('client_encoding', 'UTF8'), undefined);
    assert.equal(guard.onParameterStatus('TimeZone', 'UTC'), undefined);
  }
});

test('read-only: a lifted read-only default or a changed role ends the session; read-write may change them', () => {
  assert.equal(readOnly.onParameterStatus('default_transaction_read_only', 'off')?.kind, 'read_only_lifted');
  assert.equal(readOnly.onParameterStatus('default_transaction_read_only', 'on'), undefined);
  assert.equal(readOnly.onParameterStatus('is_superuser', 'on')?.kind, 'role_changed');
  assert.equal(readOnly.onParameterStatus('session_authorization', 'postgres')?.kind, 'role_changed');
  assert.equal(readWrite.onParameterStatus('default_transaction_read_only', 'off'), undefined);
  assert.equal(readWrite.onParameterStatus('is_superuser', 'on'), undefined);
});

test('read-only: only read tags pass; any write, DDL, DISCARD ALL or COPY FROM is a violation with the evidence', () => {
  for (const tag of ['SELECT 3', 'SHOW', 'EXPLAIN', 'COPY 2', 'FETCH 5', 'MOVE 1', 'DECLARE CURSOR', 'CLOSE CURSOR ALL', 'BEGIN', 'COMMIT', 'ROLLBACK', 'SET', 'RESET', 'DISCARD PLANS', 'DEALLOCATE ALL', 'LISTEN']) {
    assert.equal(readOnly.onCommandTag(undefined, tag), undefined, tag);
  }
  for (const tag of ['INSERT 0 1', 'UPDATE 2', 'DELETE 3', 'MERGE 1', 'CREATE TABLE', 'DROP TABLE', 'ALTER ROLE', 'TRUNCATE TABLE', 'GRANT', 'DISCARD ALL', 'DO', 'CALL', 'VACUUM', 'PREPARE TRANSACTION', 'SELECTED']) {
    assert.equal(readOnly.onCommandTag(select, tag)?.kind, 'write_in_read_only', tag);
  }
  assert.deepEqual(readOnly.onCommandTag(select, 'UPDATE 7')?.evidence, { commandTag: 'UPDATE', statementIndex: 4, statementPosition: 1, statementKinds: 'SelectStmt' });
  assert.equal(readOnly.onCopyIn(select)?.kind, 'write_in_read_only');
  assert.equal(readWrite.onCopyIn(select), undefined);
});

test('any level: more tags than statements, or a tag another statement kind gives, is an unexpected statement; unknown text is not compared', () => {
  const two = { statementIndex: 0, nodes: ['SelectStmt', 'UpdateStmt'], tagsBefore: 0 };
  assert.equal(readWrite.onCommandTag(two, 'SELECT 1'), undefined);
  assert.equal(readWrite.onCommandTag({ ...two, tagsBefore: 1 }, 'UPDATE 4'), undefined);
  assert.equal(readWrite.onCommandTag({ ...two, tagsBefore: 2 }, 'DROP TABLE')?.kind, 'unexpected_statement');
  assert.equal(readWrite.onCommandTag(select, 'DROP TABLE')?.kind, 'unexpected_statement');
  assert.equal(readWrite.onCommandTag({ statementIndex: 1, nodes: ['TransactionStmt'], tagsBefore: 0 }, 'ROLLBACK'), undefined, 'COMMIT of a failed transaction answers ROLLBACK');
  assert.equal(readWrite.onCommandTag({ statementIndex: 1, nodes: ['ExecuteStmt'], tagsBefore: 0 }, 'DELETE 1'), undefined, 'EXECUTE answers with the prepared statement\'s tag');
  assert.equal(readWrite.onCommandTag({ statementIndex: 1, nodes: [], tagsBefore: 0 }, 'DROP TABLE'), undefined, 'text Writ forwarded unparsed');
  assert.equal(readWrite.onCommandTag(undefined, 'DROP TABLE'), undefined);
});
