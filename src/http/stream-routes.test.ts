// The dashboard's server-sent events: only for signed-in callers, one "access" notice per access change, "log" to log readers when
// the log grew, no content.
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createLogGrowthWatch } from './log-growth-watch.ts';
import { createChangeFeed, type ChangeTopic } from './stream-routes.ts';
import { createApiHarness, type ApiHarness } from './testing/api-harness.ts';

/** Opens the stream and hands back a reader that resolves once the received text matches. */
function openStream(port: number, token: string): Promise<{ response: IncomingMessage; until(pattern: RegExp): Promise<string>; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/stream', headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (response) => {
      let received = '';
      const waiting: { pattern: RegExp; done: (text: string) => void }[] = [];
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        received += chunk;
        for (const wait of [...waiting]) {
          if (wait.pattern.test(received)) {
            waiting.splice(waiting.indexOf(wait), 1);
            wait.done(received);
          }
        }
      });
      resolve({
        response,
        until: (pattern) => (pattern.test(received) ? Promise.resolve(received) : new Promise((done) => waiting.push({ pattern, done }))),
        close: () => {
          req.destroy();
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /api/v1/stream', () => {
  let h: ApiHarness;
  let port = 0;
  before(async () => {
    h = await createApiHarness('sqlite');
    await h.server.listen({ host: '127.0.0.1', port: 0 });
    port = (h.server.server.address() as AddressInfo).port;
  });
  after(async () => {
    await h.close();
  });

  test('refuses a caller without credentials', async () => {
    const answer = await h.call('GET', '/api/v1/stream');
    assert.equal(answer.status, 401);
  });

  test('tells a signed-in browser when a request is made and decided, with no content', { timeout: 30_000 }, async () => {
    const stream = await openStream(port, h.tokens.bob);
    try {
      assert.equal(stream.response.statusCode, 200);
      assert.match(String(stream.response.headers['content-type']), /^text\/event-stream/);
      await stream.until(/: connected\n\n/);
      const created = await h.call('POST', '/api/v1/requests', { token: h.tokens.alice, body: { resourceId: 'pg-dev', level: 'read-write', durationSeconds: 3600, reason: 'stream test' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const afterCreate = await stream.until(/event: access\n/);
      assert.equal(afterCreate.match(/event: access/g)?.length, 1);
      const id = (created.body.request as { id: string }).id;
      const approved = await h.call('POST', `/api/v1/requests/${id}/approve`, { token: h.tokens.bob, body: {} });
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      const afterApprove = await stream.until(/(event: access\ndata: \{\}\n\n[^]*){2}/);
      assert.doesNotMatch(afterApprove, /pg-dev|alice|stream test/, 'notices carry nothing but their topic');
    } finally {
      stream.close();
    }
  });

  test('says "log" when the log grew to an auditor, never to a caller who may not read the log', { timeout: 30_000 }, async () => {
    h.app.startSequencer();
    const auditor = await openStream(port, h.tokens.carol);
    const user = await openStream(port, h.tokens.dave);
    try {
      await auditor.until(/: connected\n\n/);
      await user.until(/: connected\n\n/);
      const created = await h.call('POST', '/api/v1/requests', { token: h.tokens.alice, body: { resourceId: 'pg-dev', level: 'read-write', durationSeconds: 3600, reason: 'log notice test' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const heard = await auditor.until(/event: log\ndata: \{\}\n\n/);
      assert.doesNotMatch(heard, /pg-dev|alice|log notice test/, 'notices carry nothing but their topic');
      // Each stream is written in order: a second access notice reaching the user comes after any log notice sent to them.
      const cancelled = await h.call('POST', `/api/v1/requests/${(created.body.request as { id: string }).id}/cancel`, { token: h.tokens.alice, body: {} });
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      const userHeard = await user.until(/(event: access\n[^]*){2}/);
      assert.doesNotMatch(userHeard, /event: log/);
    } finally {
      auditor.close();
      user.close();
    }
  });
});

test('a change feed forgets listeners that unsubscribed', () => {
  const feed = createChangeFeed();
  const heard: string[] = [];
  const stop = feed.subscribe((topic) => heard.push(topic));
  feed.publish('access');
  stop();
  feed.publish('access');
  assert.deepEqual(heard, ['access']);
  assert.equal(feed.subscribers, 0);
});

test('a log growth watch says "log" once the size grew, not for the first size it reads; a listener leaving twice leaves once', async () => {
  const feed = createChangeFeed();
  const sizes = [5, 5, 7];
  let reads = 0;
  const heard: ChangeTopic[] = [];
  const grew = new Promise<void>((resolve) => {
    feed.subscribe((topic) => {
      heard.push(topic);
      resolve();
    });
  });
  const watch = createLogGrowthWatch({ feed, pollMs: 1, size: () => Promise.resolve(sizes[Math.min(reads++, sizes.length - 1)] ?? 0), onError: (error) => { throw error; } });
  const leave = watch.join();
  await grew;
  leave();
  leave();
  assert.deepEqual(heard, ['log']);
  assert.ok(reads >= 3, `read ${reads} times`);
  watch.stop();
});
