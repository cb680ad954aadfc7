// Differential property: generated text that stresses lexing, sent through the gateway, never does more on the server than Writ judged.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { createGatewayHarness, type GatewayConnection, type GatewayHarness, type RecordedEvent } from './testing/gateway-harness.ts';
import { inspectSql } from './statement-inspector.ts';
import { loadSqlParser } from './sql-parser.ts';
import { openRawSession, type RawSession } from './testing/raw-session.ts';
import { eventually } from './testing/gateway-test-helpers.ts';
import { queryTestUpstream } from './testing/test-upstream.ts';

/*
 * Writ pins client_encoding and standard_conforming_strings, so its parser and the server lex every text alike. The
 * texts below mix every construct whose lexing those settings (or a lexer bug) could change, with a harmful payload
 * spliced in anywhere; after each one the canary table must be as it was, the session's pinned settings must hold,
 * the server's command tags must fit the statements Writ judged, and no session violation may have been recorded.
 */

type Level = 'read-only' | 'read-write';
type Protocol = 'simple' | 'extended' | 'pipelined';

/** Characters whose SJIS form ends in 0x5c, a backslash (ソ, 表), that are 0x5c in SJIS or EUC-KR (¥, ₩), or whose UTF-8 bytes are SJIS/BIG5 lead bytes. */
const MULTIBYTE = ['ā', 'ソ', '表', '¥', '₩', 'Ё', 'ǜ', '中', '😀', '🦄'];
const DOLLAR_TAGS = ['', 'q', 'tāg', 'ソ', '表_1', 'é9'];
const SETTINGS_SQL = "SELECT current_setting('standard_conforming_strings') AS scs, current_setting('client_encoding') AS enc, current_setting('default_transaction_read_only') AS ro";
const WRITE_TAG = /^(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE)\b/;
/** The command tags each parse node answers with (nodes not listed are only counted). */
const TAGS_OF: Readonly<Record<string, RegExp>> = {
  SelectStmt: /^SELECT \d+$/,
  VariableShowStmt: /^SHOW$/,
  VariableSetStmt: /^(SET|RESET)$/,
  InsertStmt: /^INSERT 0 \d+$/,
  UpdateStmt: /^UPDATE \d+$/,
  DeleteStmt: /^DELETE \d+$/,
  DropStmt: /^DROP /,
  TruncateStmt: /^TRUNCATE TABLE$/,
};

/** Harmful statements, half of them changing a setting; on read-write only those its guardrails or the pinned settings refuse. */
function payloads(level: Level, table: string): fc.Arbitrary<string> {
  const writes = [
    `DELETE FROM ${table}`,
    `UPDATE ${table} SET v = v || 'x'`,
    `DROP TABLE ${table}`,
    `TRUNCATE ${table}`,
    `WITH gone AS (DELETE FROM ${table} RETURNING 1) SELECT count(*) FROM gone`,
    ...(level === 'read-only' ? [`DELETE FROM ${table} WHERE id > 0`, `INSERT INTO ${table} VALUES (99, 'x')`, `UPDATE ${table} SET v = 'y' WHERE id = 1`] : []),
  ];
  const settingChanges = [
    'SET standard_conforming_strings = off',
    "SET client_encoding = 'SJIS'",
    "SET NAMES 'BIG5'",
    "SELECT set_config('standard_conforming_strings', 'off', false)",
    'RESET ALL',
    'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE',
  ];
  return fc.oneof(fc.constantFrom(...writes), fc.constantFrom(...settingChanges));
}

const fragment = (payload: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('a', 'x1', ' ', "'", ';', '\\', '--', '/*', '*/', '$$', '$q$', '"', '\n', 'E', 'U&') },
    { weight: 3, arbitrary: fc.constantFrom(...MULTIBYTE) },
    { weight: 1, arbitrary: payload },
  );
const content = (payload: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.array(fragment(payload), { maxLength: 8 }).map((parts) => parts.join(''));
const quoted = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const withoutAll = (text: string, needle: string): string => (text.includes(needle) ? withoutAll(text.split(needle).join(''), needle) : text);

/** Literals of every lexical kind: plain (doubled quotes, bare backslashes), E'' escapes, U&'' escapes, dollar quotes. */
function literal(payload: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const escapeToken = fc.oneof(fc.constantFrom("\\'", '\\\\', '\\n', "''", '\\x5c', '\\u00e4', '\\101', ';', '--', 'a'), fc.constantFrom(...MULTIBYTE), payload.map((p) => p.replaceAll("'", "''")));
  const unicodeToken = fc.oneof(fc.constantFrom('\\0061', '\\00e4', '\\+01F600', '\\\\', "''", 'a', ';'), fc.constantFrom(...MULTIBYTE), payload.map((p) => p.replaceAll("'", "''")));
  return fc.oneof(
    content(payload).map(quoted),
    fc.array(escapeToken, { maxLength: 6 }).map((tokens) => `E'${tokens.join('')}'`),
    fc.array(unicodeToken, { maxLength: 6 }).map((tokens) => `U&'${tokens.join('')}'`),
    fc.tuple(fc.constantFrom(...DOLLAR_TAGS), content(payload)).map(([tag, text]) => `$${tag}$${withoutAll(text, `$${tag}$`)}$${tag}$`),
  );
}

/** A comment: `--` to the end of the line, or a block comment nested up to three deep. */
function comment(payload: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const inside = content(payload).map((text) => text.replace(/[*/]/g, '.'));
  return fc.oneof(
    inside.map((text) => `-- ${text.replaceAll('\n', ' ')}\n`),
    fc.tuple(inside, inside, fc.option(inside)).map(([outer, inner, deeper]) => `/* ${outer} /* ${inner}${deeper === null ? '' : ` /* ${deeper} */`} */ */`),
  );
}

function statementText(level: Level, table: string): fc.Arbitrary<string> {
  const payload = payloads(level, table);
  const alias = content(payload).map((text) => `"${(text === '' ? 'c' : text).replaceAll('"', '""')}"`);
  const item = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(literal(payload), fc.option(alias)).map(([value, name]) => (name === null ? value : `${value} AS ${name}`)) },
    { weight: 1, arbitrary: fc.integer({ min: -9, max: 99 }).map(String) },
    { weight: 2, arbitrary: fc.tuple(comment(payload), literal(payload)).map(([note, value]) => `${note} ${value}`) },
    // Two strings to Writ; with standard_conforming_strings off, one string, then the payload, then a comment.
    { weight: 2, arbitrary: fc.tuple(content(payload), payload).map(([text, hidden]) => `${quoted(`${text}\\`)} , '; ${hidden.replaceAll("'", "''")}; --'`) },
  );
  const statement = fc.oneof(
    { weight: 5, arbitrary: fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => `SELECT ${items.join(', ')}`) },
    { weight: 1, arbitrary: item.map((value) => `SELECT ${value} FROM ${table}`) },
    { weight: 1, arbitrary: literal(payload).map((value) => `SELECT count(*) FROM ${table} WHERE v = ${value}`) },
    { weight: 1, arbitrary: payload },
    { weight: 1, arbitrary: fc.constant('SHOW standard_conforming_strings') },
  );
  const splice = fc.record({ at: fc.nat(), shape: fc.constantFrom('; %; ', ' % ', ';%'), what: payload });
  return fc
    .record({
      statements: fc.array(statement, { minLength: 1, maxLength: 3 }),
      separator: fc.constantFrom(';', '; ', ';\n', ' ;/* ; */ '),
      trailing: fc.boolean(),
      lead: fc.option(comment(payload), { freq: 4 }),
      splice: fc.option(splice, { freq: 3 }),
    })
    .map(({ statements, separator, trailing, lead, splice: spliced }) => {
      const text = `${lead ?? ''}${statements.join(separator)}${trailing ? ';' : ''}`;
      if (spliced === null) return text;
      const points = Array.from(text);
      const at = spliced.at % (points.length + 1);
      return [...points.slice(0, at), spliced.shape.replace('%', () => spliced.what), ...points.slice(at)].join('');
    });
}

/** The session's pinned settings and read-only default as it reports them after a run; `ended` when the gateway ended it. */
type RunResult = { readonly ended: true } | { readonly ended: false; readonly settings: Readonly<Record<'scs' | 'enc' | 'ro', string>> | undefined };

/** One gateway session per property, reopened when the gateway ends it: node-postgres for simple and extended, raw bytes for pipelines. */
interface Sessions {
  run(text: string, protocol: Protocol): Promise<RunResult>;
  /** Ends both sessions; the next run opens new ones. */
  close(): Promise<void>;
}

function openSessions(connection: GatewayConnection): Sessions {
  let client: { pg: pg.Client; alive: boolean } | undefined;
  let raw: RawSession | undefined;
  const driver = async (): Promise<{ pg: pg.Client; alive: boolean }> => {
    if (client?.alive === true) return client;
    const opened = { pg: new pg.Client({ connectionString: connection.url }), alive: true };
    opened.pg.on('error', () => { opened.alive = false; });
    opened.pg.on('end', () => { opened.alive = false; });
    await opened.pg.connect();
    client = opened;
    return opened;
  };
  const pipelined = async (text: string): Promise<RunResult> => {
    raw ??= await openRawSession(connection);
    const { answers, closed } = await raw.send(Buffer.concat([serialize.query(text), serialize.query(SETTINGS_SQL)]), 2);
    if (closed) {
      raw = undefined;
      return { ended: true };
    }
    // Only what answers the second Query: the text's own rows come before the first ReadyForQuery.
    const row = answers.slice(answers.findIndex((answer) => answer.name === 'readyForQuery')).find((answer) => answer.name === 'dataRow')?.fields;
    return { ended: false, settings: row === undefined ? undefined : { scs: String(row[0]), enc: String(row[1]), ro: String(row[2]) } };
  };
  return {
    async run(text, protocol) {
      if (protocol === 'pipelined') return pipelined(text);
      const session = await driver();
      await session.pg.query(protocol === 'extended' ? ({ text, queryMode: 'extended' } as pg.QueryConfig) : text).catch(() => undefined);
      const shown = session.alive ? await session.pg.query<{ scs: string; enc: string; ro: string }>(SETTINGS_SQL).catch(() => undefined) : undefined;
      return session.alive ? { ended: false, settings: shown?.rows[0] } : { ended: true };
    },
    async close() {
      raw?.end();
      raw = undefined;
      if (client?.alive === true) await client.pg.end();
      client = undefined;
    },
  };
}

interface Completion {
  readonly commandTag?: string;
}

const keyOf = (event: RecordedEvent): string => `${String(event.data.sessionId)}:${String(event.data.statementIndex)}`;

async function completionsBy(h: GatewayHarness): Promise<Map<string, Completion>> {
  const batches = await h.events('gateway.statements.completed');
  return new Map(batches.flatMap((event) => (event.data.statements as ({ statementIndex: number } & Completion)[]).map((done) => [`${String(event.data.sessionId)}:${String(done.statementIndex)}`, done] as const)));
}

/**
 * Checks every statement the gateway forwarded since the last call against the tags the server answered with. The
 * event records the distinct kinds only, so the text is parsed again, by Writ's own inspector, for the statements in order.
 */
async function createTagChecker(h: GatewayHarness, level: Level): Promise<(text: string) => Promise<number>> {
  const seen = new Set((await h.events('gateway.statement.executed')).map(keyOf));
  return async (text) => {
    const executed = (await h.events('gateway.statement.executed')).filter((event) => !seen.has(keyOf(event)));
    let completions = await completionsBy(h);
    for (let attempt = 0; attempt < 1000 && !executed.every((event) => completions.has(keyOf(event))); attempt++) {
      await delay(5);
      completions = await completionsBy(h);
    }
    for (const event of executed) {
      seen.add(keyOf(event));
      const sql = String(event.data.sql);
      const inspection = inspectSql(sql);
      const nodes = inspection.kind === 'parsed' ? inspection.statements.map((statement) => statement.node) : [];
      const where = `${JSON.stringify(sql)} (${nodes.join(', ')}), sent as ${JSON.stringify(text)}`;
      assert.deepEqual(event.data.statementKinds, [...new Set(nodes)], `the kinds recorded for ${where}`);
      const joined = completions.get(keyOf(event))?.commandTag;
      assert.ok(completions.has(keyOf(event)), `no completion recorded for ${where}`);
      const tags = joined === undefined ? [] : joined.split('; ');
      assert.ok(tags.length <= nodes.length, `more tags than statements: ${where} answered ${JSON.stringify(joined)}`);
      // The joined tags are cut at 64 characters, so the last one may be partial.
      const whole = (joined?.length ?? 0) >= 64 ? tags.slice(0, -1) : tags;
      whole.forEach((tag, index) => {
        const expected = TAGS_OF[nodes[index] ?? ''];
        assert.ok(expected === undefined || expected.test(tag), `tag ${tag} for statement ${index + 1}: ${where}`);
        assert.ok(level !== 'read-only' || !WRITE_TAG.test(tag), `a write on a read-only session: ${where} answered ${tag}`);
      });
    }
    return executed.filter((event) => event.data.sql !== SETTINGS_SQL).length;
  };
}

/** Creates the canary afresh; after a failed run too, so that shrinking starts from the same table. */
async function resetCanary(observer: pg.Client, table: string): Promise<void> {
  // On PGlite the observer shares the gateway sessions' backend, and a failed run may have left it changed.
  await observer.query('SET standard_conforming_strings = on');
  await observer.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE');
  await observer.query(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (id int PRIMARY KEY, v text); INSERT INTO ${table} VALUES (1, 'one'), (2, 'two'), (3, 'ソ\\''')`);
}

async function canaryOf(observer: pg.Client, table: string): Promise<string> {
  const found = await observer.query<{ name: string | null }>(`SELECT to_regclass('${table}')::text AS name`);
  if (found.rows[0]?.name == null) return 'dropped';
  const rows = await observer.query<{ n: number; sum: string }>(`SELECT count(*)::int AS n, coalesce(md5(string_agg(id || ':' || v, ',' ORDER BY id)), '') AS sum FROM ${table}`);
  return JSON.stringify(rows.rows[0]);
}

interface RunContext {
  readonly h: GatewayHarness;
  readonly level: Level;
  readonly sessions: Sessions;
  readonly observer: pg.Client;
  readonly table: string;
  /** The canary's row count and checksum before any run. */
  readonly canary: string;
  readonly checkTags: (text: string) => Promise<number>;
  readonly counts: { runs: number; forwarded: number; ended: number };
}

/** One run of the property: send the text, then check settings, canary, tags and violations. */
async function checkRun(context: RunContext, text: string, via: Protocol): Promise<void> {
  const { h, level, counts } = context;
  const sent = `${JSON.stringify(text)} (${via})`;
  counts.runs += 1;
  const violationsBefore = (await h.events('gateway.session.violation')).length;
  const endedBefore = (await h.events('gateway.session.ended')).length;
  const result = await context.sessions.run(text, via);
  if (result.ended) {
    counts.ended += 1;
    // The violation that ended it is recorded while the client already sees the FATAL.
    await eventually('the end of the session', async () => ((await h.events('gateway.session.ended')).length > endedBefore ? true : undefined));
  } else {
    assert.ok(result.settings !== undefined, `the session did not answer ${SETTINGS_SQL} after ${sent}`);
    assert.equal(result.settings.scs, 'on', `standard_conforming_strings after ${sent}`);
    assert.equal(result.settings.enc, 'UTF8', `client_encoding after ${sent}`);
    if (level === 'read-only') assert.equal(result.settings.ro, 'on', `default_transaction_read_only after ${sent}`);
  }
  assert.equal(await canaryOf(context.observer, context.table), context.canary, `the canary table changed after ${sent}`);
  counts.forwarded += await context.checkTags(text);
  const violations = (await h.events('gateway.session.violation')).slice(violationsBefore);
  assert.deepEqual(violations.map((event) => event.data), [], `a differential the gateway caught after ${sent}`);
}

describe('the parser differential property: what the server runs is what Writ judged', () => {
  let h: GatewayHarness;
  let observer: pg.Client;
  const table = `writ_canary_${randomBytes(4).toString('hex')}`;
  before(async () => {
    // Every completion is recorded at its ReadyForQuery, so each run can be checked at once.
    h = await createGatewayHarness('sqlite', { settings: { completionBatch: 1 } });
    await loadSqlParser();
    observer = new pg.Client({ connectionString: h.upstream.url });
    await observer.connect();
    await resetCanary(observer, table);
  });
  after(async () => {
    try {
      await observer.end();
      // PGlite serves every connection from one backend, which the read-only sessions left read-only.
      await queryTestUpstream(h.upstream, 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE');
      await queryTestUpstream(h.upstream, `DROP TABLE IF EXISTS ${table}`);
    } finally {
      await h.close();
    }
  });

  for (const [level, numRuns] of [['read-only', 300], ['read-write', 200]] as const) {
    test(`on a ${level} grant, in the simple, extended and pipelined protocols`, async (t) => {
      const connection = await h.grantAndConnect(level);
      const sessions = openSessions(connection);
      const counts = { runs: 0, forwarded: 0, ended: 0 };
      const context: RunContext = { h, level, sessions, observer, table, canary: await canaryOf(observer, table), checkTags: await createTagChecker(h, level), counts };
      const blockedBefore = (await h.events('gateway.statement.blocked')).length;
      const protocol = fc.constantFrom<Protocol>('simple', 'simple', 'extended', 'pipelined');
      try {
        await fc.assert(
          fc.asyncProperty(statementText(level, table), protocol, async (text, via) => {
            try {
              await checkRun(context, text, via);
            } catch (failure) {
              // A failed run may leave its session changed: shrinking must start each run from a fresh one.
              await sessions.close();
              await resetCanary(observer, table);
              throw failure;
            }
          }),
          { numRuns },
        );
      } finally {
        await sessions.close();
        const blocked = (await h.events('gateway.statement.blocked')).length - blockedBefore;
        const extended = (await h.events('gateway.statement.executed')).filter((event) => event.data.grantId === connection.grantId && event.data.protocol === 'extended').length;
        t.diagnostic(`${level}: ${counts.runs} texts (shrinking included), ${counts.forwarded} forwarded (${extended} in the extended protocol), ${blocked} refused, ${counts.ended} sessions ended`);
      }
    });
  }
});
