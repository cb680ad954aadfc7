// Sessions: gateway sessions from the audit log (newest first), each with its statements in order and the blocked ones marked.
import { Badge, Button, Card, Code, Group, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { formatWhen } from '../access/time-format.ts';
import { eventsOf, useEvents, type LoggedEvent } from '../audit/audit-queries.ts';
import { sessionTimeline, type StatementRow } from '../audit/session-timeline.ts';
import { Empty, LoadError, LoadMore, Loading } from '../components/page-states.tsx';

const STATEMENTS_PAGE = 200;

function field(event: LoggedEvent['event'] | undefined, name: string): string | undefined {
  const data = event?.data;
  if (typeof data !== 'object' || data === null) return undefined;
  const value = (data as Record<string, unknown>)[name];
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function Statement({ row }: { readonly row: StatementRow }) {
  return (
    <Card withBorder padding="xs" data-testid="statement" style={row.blocked ? { background: 'var(--mantine-color-red-light)' } : {}} aria-label={`Statement ${row.statementIndex}${row.blocked ? ', blocked' : ''}`}>
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Group gap="xs">
          <Text size="xs" c="dimmed">#{row.statementIndex}</Text>
          {row.blocked ? <Badge color="red" size="sm">blocked</Badge> : row.sqlState === undefined ? null : <Badge color="orange" size="sm" variant="light">error {row.sqlState}</Badge>}
        </Group>
        <Text size="xs" c="dimmed">
          {formatWhen(row.time)}{row.commandTag === undefined ? '' : ` · ${row.commandTag}`}{row.durationMs === undefined ? '' : ` · ${row.durationMs} ms`}
        </Text>
      </Group>
      <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{row.sql}</Code>
      {row.blocked ? <Text size="sm" c="red">Refused by rule {row.rule ?? '?'}: {row.message ?? ''}</Text> : null}
    </Card>
  );
}

function SessionStatements({ sessionId }: { readonly sessionId: string }) {
  const events = useEvents({ target: `session:${sessionId}`, type: 'gateway.*' }, { order: 'asc', limit: STATEMENTS_PAGE });
  if (events.isPending) return <Loading label="Loading statements…" />;
  if (events.isError) return <LoadError error={events.error} retry={() => void events.refetch()} />;
  const timeline = sessionTimeline(eventsOf(events.data).map((e) => e.event));
  const ended = timeline.ended;
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        {ended === undefined ? 'Still open (no end recorded yet).' : `Ended ${formatWhen(ended.time)} (${field(ended, 'endReason') ?? '?'}): ${field(ended, 'statementCount') ?? '?'} statements, ${field(ended, 'blockedCount') ?? '?'} blocked.`}
      </Text>
      {timeline.statements.length === 0 ? <Empty>No statements in this session.</Empty> : timeline.statements.map((row) => <Statement key={row.statementIndex} row={row} />)}
      <LoadMore hasMore={events.hasNextPage} loading={events.isFetchingNextPage} onLoad={() => void events.fetchNextPage()} />
    </Stack>
  );
}

function SessionCard({ logged }: { readonly logged: LoggedEvent }) {
  const [open, setOpen] = useState(false);
  const started = logged.event;
  const sessionId = field(started, 'sessionId') ?? '';
  const resource = field(started, 'resourceId') ?? '?';
  return (
    <Card withBorder component="article" data-testid="gateway-session" aria-label={`Session of ${started.actor.id} on ${resource}`}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="wrap">
          <Text fw={600}>{started.actor.id}{started.actor.name === undefined ? '' : ` (${started.actor.name})`} on {resource} <Badge variant="light" ml={4}>{field(started, 'level') ?? '?'}</Badge></Text>
          <Text size="sm" c="dimmed">{formatWhen(started.time)}</Text>
        </Group>
        <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
          session {sessionId} · database {field(started, 'database') ?? '?'} · {field(started, 'tls') === 'true' ? 'TLS' : 'no TLS'}{field(started, 'applicationName') === undefined ? '' : ` · ${field(started, 'applicationName') ?? ''}`} · grant {field(started, 'grantId') ?? '?'}
        </Text>
        <Group>
          <Button size="xs" variant="light" onClick={() => { setOpen((o) => !o); }} aria-expanded={open}>{open ? 'Hide statements' : 'Statements'}</Button>
        </Group>
        {open && sessionId !== '' ? <SessionStatements sessionId={sessionId} /> : null}
      </Stack>
    </Card>
  );
}

export function SessionsPage() {
  const [actor, setActor] = useState('');
  const [resource, setResource] = useState('');
  const [applied, setApplied] = useState<{ actor: string; resource: string }>({ actor: '', resource: '' });
  const sessions = useEvents({ type: 'gateway.session.started', actor: applied.actor, ...(applied.resource === '' ? {} : { target: `resource:${applied.resource}` }) }, { limit: 20 });
  const items = eventsOf(sessions.data);
  return (
    <Stack>
      <Title order={2}>Sessions</Title>
      <form aria-label="Session filters" onSubmit={(e) => { e.preventDefault(); setApplied({ actor: actor.trim(), resource: resource.trim() }); }}>
        <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="xs">
          <TextInput label="User" placeholder="user id" maxLength={256} value={actor} onChange={(e) => { setActor(e.currentTarget.value); }} />
          <TextInput label="Resource" placeholder="e.g. demo-db" maxLength={64} value={resource} onChange={(e) => { setResource(e.currentTarget.value); }} />
          <Button type="submit" style={{ alignSelf: 'end' }}>Show sessions</Button>
        </SimpleGrid>
      </form>
      {sessions.isPending ? <Loading label="Loading sessions…" /> : sessions.isError ? <LoadError error={sessions.error} retry={() => void sessions.refetch()} /> : items.length === 0 ? (
        <Empty>No gateway sessions{applied.actor === '' && applied.resource === '' ? ' yet' : ' match'}.</Empty>
      ) : (
        <Stack>
          {items.map((logged) => <SessionCard key={logged.event.id} logged={logged} />)}
          <LoadMore hasMore={sessions.hasNextPage} loading={sessions.isFetchingNextPage} onLoad={() => void sessions.fetchNextPage()} />
        </Stack>
      )}
    </Stack>
  );
}
