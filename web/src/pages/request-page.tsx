// Request access: find a resource by name and labels, choose level and duration (bounded by policy), say why, and see who must approve.
import { Alert, Anchor, Badge, Button, Card, Group, List, NumberInput, Radio, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SyntheticEvent } from 'react';
import { Link } from 'wouter';
import { messageOf } from '../api/api-error.ts';
import { api, type ApiAnswer } from '../api/client.ts';
import { parseLabelFilter } from '../access/label-filter.ts';
import { clampDuration, describeApproval, maxDurationOf, type PolicyTestAnswer } from '../access/policy-preview.ts';
import { formatDuration } from '../access/time-format.ts';
import { Empty, LoadError, Loading } from '../components/page-states.tsx';

type Resource = ApiAnswer<'/api/v1/resources', 'get'>['items'][number];
type Created = ApiAnswer<'/api/v1/requests', 'post'>;

function ResourcePicker({ value, onChange }: { readonly value: string; readonly onChange: (resource: Resource | undefined) => void }) {
  const [search, setSearch] = useState('');
  const [labels, setLabels] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [labelText] = useDebouncedValue(labels, 250);
  const label = parseLabelFilter(labelText);
  const resources = useQuery({
    queryKey: ['resources', q, label],
    queryFn: ({ signal }) => api('get', '/api/v1/resources', { query: { ...(q === '' ? {} : { q }), ...(label.length === 0 ? {} : { label }) }, signal }),
    placeholderData: keepPreviousData,
  });
  const items = resources.data?.items ?? [];
  return (
    <Stack gap="xs">
      <Group grow align="flex-start">
        <TextInput label="Search resources" placeholder="name or id" value={search} onChange={(e) => { setSearch(e.currentTarget.value); }} />
        <TextInput label="Labels" description="e.g. env=prod team=platform" value={labels} onChange={(e) => { setLabels(e.currentTarget.value); }} />
      </Group>
      {resources.isPending ? <Loading label="Loading resources…" /> : resources.isError ? <LoadError error={resources.error} retry={() => void resources.refetch()} /> : items.length === 0 ? (
        <Empty>No resource matches.</Empty>
      ) : (
        <Radio.Group label="Resource" required value={value} onChange={(id) => { onChange(items.find((r) => r.id === id)); }}>
          <Stack gap={6} mt={4}>
            {items.map((r) => (
              <Radio
                key={r.id}
                value={r.id}
                label={<Text span fw={500}>{r.name} <Text span c="dimmed" size="sm">({r.id})</Text></Text>}
                description={<Group gap={4} component="span">{Object.entries(r.labels).map(([k, v]) => <Badge key={k} size="xs" variant="outline" component="span">{k}={v}</Badge>)}</Group>}
              />
            ))}
          </Stack>
        </Radio.Group>
      )}
    </Stack>
  );
}

function ApprovalPreviewCard({ answer, loading, error }: { readonly answer: PolicyTestAnswer | undefined; readonly loading: boolean; readonly error: unknown }) {
  if (error !== null && error !== undefined) return <LoadError error={error} />;
  if (answer === undefined) return loading ? <Loading label="Asking the policy…" /> : <Empty>Choose a resource and a level to see who must approve.</Empty>;
  const preview = describeApproval(answer);
  if (preview.kind === 'denied') {
    return (
      <Alert color="red" title="The policy would refuse this" data-testid="approval-preview">
        <List size="sm">{preview.reasons.map((reason) => <List.Item key={reason}>{reason}</List.Item>)}</List>
      </Alert>
    );
  }
  if (preview.kind === 'automatic') return <Alert color="teal" title="Approved at once" data-testid="approval-preview">Rule “{preview.rule}” of policy {preview.policy} approves this without a reviewer.</Alert>;
  return (
    <Alert color={preview.blocked ? 'orange' : 'blue'} title="Who must approve" data-testid="approval-preview">
      <List size="sm">
        {preview.stages.map((stage) => (
          <List.Item key={stage.name}>
            <Text span size="sm" fw={600}>{stage.name}</Text>: {stage.summary}{stage.unsatisfiable ? ' — not enough people can approve this stage' : ''}
          </List.Item>
        ))}
      </List>
      <Text size="xs" c="dimmed" mt={4}>Policy {preview.policy}</Text>
    </Alert>
  );
}

function Sent({ created, onAnother }: { readonly created: Created; readonly onAnother: () => void }) {
  const { request, grant } = created;
  return (
    <Alert color="teal" title={grant === null ? 'Request sent' : 'Access granted'} role="status">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">
          {grant === null
            ? `Your request for ${request.level} on ${request.resourceId} is ${request.status}; reviewers have been asked.`
            : `You have ${grant.level} on ${grant.resourceId} until ${new Date(grant.endsAt).toLocaleString()}.`}
        </Text>
        <Group gap="sm">
          <Anchor component={Link} href="/">Back to Home</Anchor>
          <Button size="xs" variant="light" onClick={onAnother}>Ask for something else</Button>
        </Group>
      </Stack>
    </Alert>
  );
}

export function RequestPage() {
  const queryClient = useQueryClient();
  const [resource, setResource] = useState<Resource | undefined>();
  const [level, setLevel] = useState('');
  const [minutes, setMinutes] = useState<number>(60);
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const [startAt, setStartAt] = useState('');
  const [asked] = useDebouncedValue({ resourceId: resource?.id ?? '', level, durationSeconds: clampDuration(minutes * 60, Number.MAX_SAFE_INTEGER), reason: reason.trim() }, 300);
  const preview = useQuery({
    queryKey: ['policy-test', asked],
    enabled: asked.resourceId !== '' && asked.level !== '',
    queryFn: async () => (await api('post', '/api/v1/policy/test', { body: { resourceId: asked.resourceId, level: asked.level, durationSeconds: asked.durationSeconds, ...(asked.reason === '' ? {} : { reason: asked.reason }) } })) as PolicyTestAnswer,
    placeholderData: keepPreviousData,
  });
  const maxSeconds = maxDurationOf(preview.data);
  const durationSeconds = clampDuration(minutes * 60, maxSeconds);
  const send = useMutation({
    mutationFn: () =>
      api('post', '/api/v1/requests', {
        body: {
          resourceId: resource?.id ?? '',
          level,
          durationSeconds,
          ...(reason.trim() === '' ? {} : { reason: reason.trim() }),
          ...(ticket.trim() === '' ? {} : { ticket: ticket.trim() }),
          ...(startAt === '' ? {} : { startAt: new Date(startAt).toISOString() }),
        },
      }),
    onSuccess: async () => {
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['requests'] }), queryClient.invalidateQueries({ queryKey: ['grants'] })]);
    },
  });

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    send.mutate();
  };
  const reset = (): void => {
    send.reset();
    setReason('');
    setTicket('');
    setStartAt('');
  };

  if (send.data !== undefined) return <Stack><Title order={2}>Request access</Title><Sent created={send.data} onAnother={reset} /></Stack>;
  return (
    <Stack>
      <Title order={2}>Request access</Title>
      <form onSubmit={submit} aria-label="Request access">
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Stack>
            <ResourcePicker value={resource?.id ?? ''} onChange={(r) => { setResource(r); setLevel(r?.levels.length === 1 ? (r.levels[0] ?? '') : ''); }} />
            {resource === undefined ? null : (
              <Radio.Group label="Access level" required value={level} onChange={setLevel}>
                <Group mt={4}>{resource.levels.map((l) => <Radio key={l} value={l} label={l} />)}</Group>
              </Radio.Group>
            )}
          </Stack>
          <Stack>
            <NumberInput
              label="Duration in minutes"
              required
              min={1}
              max={Math.floor(maxSeconds / 60)}
              step={15}
              value={minutes}
              onChange={(value) => { setMinutes(typeof value === 'number' ? value : Number(value)); }}
              description={`${formatDuration(durationSeconds)}${preview.data === undefined ? '' : `; the policy allows at most ${formatDuration(maxSeconds)}`}`}
            />
            <Textarea label="Reason" description="What you will do and why; reviewers and auditors read it" autosize minRows={2} maxLength={1024} value={reason} onChange={(e) => { setReason(e.currentTarget.value); }} />
            <TextInput label="Ticket" description="Optional, e.g. INC-42" maxLength={128} value={ticket} onChange={(e) => { setTicket(e.currentTarget.value); }} />
            <TextInput label="Start at" description="Optional; empty means as soon as approved" type="datetime-local" value={startAt} onChange={(e) => { setStartAt(e.currentTarget.value); }} />
            <Card withBorder p="sm">
              <ApprovalPreviewCard answer={preview.data} loading={preview.isFetching} error={preview.error} />
            </Card>
            {send.isError ? <Alert color="red" role="alert" title="Not sent">{messageOf(send.error)}</Alert> : null}
            <Button type="submit" loading={send.isPending} disabled={resource === undefined || level === ''}>Send request</Button>
          </Stack>
        </SimpleGrid>
      </form>
    </Stack>
  );
}
