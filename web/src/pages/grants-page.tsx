// Grants: my open and past grants; end one now (revoke) or ask to extend it (the policy decides who approves).
import { Alert, Badge, Button, Card, Group, NumberInput, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { messageOf } from '../api/api-error.ts';
import { api } from '../api/client.ts';
import { itemsOf, useMyGrants, type GrantView } from '../access/access-queries.ts';
import { connectionCommand } from '../access/connection-command.ts';
import { formatWhen } from '../access/time-format.ts';
import { CopyCommand } from '../components/copy-command.tsx';
import { Empty, LoadError, LoadMore, Loading } from '../components/page-states.tsx';
import { TimeLeft } from '../components/time-left.tsx';

type Action = 'none' | 'revoke' | 'extend';

function GrantActions({ grant }: { readonly grant: GrantView }) {
  const queryClient = useQueryClient();
  const [action, setAction] = useState<Action>('none');
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState<number>(60);
  const refresh = async (): Promise<void> => {
    await Promise.all([queryClient.invalidateQueries({ queryKey: ['grants'] }), queryClient.invalidateQueries({ queryKey: ['requests'] })]);
  };
  const trimmed = reason.trim();
  const revoke = useMutation({ mutationFn: () => api('post', '/api/v1/grants/{id}/revoke', { path: { id: grant.id }, body: trimmed === '' ? {} : { reason: trimmed } }), onSuccess: refresh });
  const extend = useMutation({
    mutationFn: () => api('post', '/api/v1/grants/{id}/extend', { path: { id: grant.id }, body: { bySeconds: Math.max(60, Math.round(minutes * 60)), ...(trimmed === '' ? {} : { reason: trimmed }) } }),
    onSuccess: refresh,
  });
  const failure = revoke.error ?? extend.error;
  const close = (): void => {
    setAction('none');
    setReason('');
  };
  if (extend.data !== undefined) {
    const request = extend.data.request;
    return <Alert color="teal" role="status">{extend.data.grant === null ? `Extension asked (${request.status}); reviewers have been told.` : 'Extended.'}</Alert>;
  }
  return (
    <Stack gap="xs">
      {action === 'none' ? (
        <Group gap="xs">
          <Button size="xs" variant="light" color="red" onClick={() => { setAction('revoke'); }}>Revoke…</Button>
          <Button size="xs" variant="light" onClick={() => { setAction('extend'); }}>Extend…</Button>
        </Group>
      ) : (
        <Stack gap="xs">
          {action === 'extend' ? <NumberInput label="Extend by (minutes)" min={1} step={15} value={minutes} onChange={(v) => { setMinutes(Number(v)); }} /> : null}
          <TextInput label={action === 'revoke' ? 'Why end it now (optional)' : 'Reason'} description={action === 'extend' ? 'Reviewers read it; the policy may require one' : undefined} maxLength={1024} value={reason} onChange={(e) => { setReason(e.currentTarget.value); }} />
          <Group gap="xs">
            {action === 'revoke' ? (
              <Button size="xs" color="red" loading={revoke.isPending} onClick={() => { revoke.mutate(); }}>End this grant now</Button>
            ) : (
              <Button size="xs" loading={extend.isPending} onClick={() => { extend.mutate(); }}>Ask to extend</Button>
            )}
            <Button size="xs" variant="default" onClick={close}>Cancel</Button>
          </Group>
        </Stack>
      )}
      {failure === null ? null : <Alert color="red" role="alert">{messageOf(failure)}</Alert>}
    </Stack>
  );
}

function GrantCard({ grant, fetchedAtMs }: { readonly grant: GrantView; readonly fetchedAtMs: number }) {
  const open = grant.state !== 'ended';
  return (
    <Card withBorder component="article" aria-label={`Grant of ${grant.level} on ${grant.resourceId}`} data-testid="grant">
      <Stack gap={6}>
        <Group justify="space-between" wrap="wrap">
          <Text fw={600} component="div">{grant.resourceId} <Badge variant="light" ml={4}>{grant.level}</Badge>{grant.breakGlass ? <Badge color="red" ml={4}>break-glass</Badge> : null}</Text>
          {open ? <TimeLeft secondsLeft={grant.secondsLeft} fetchedAtMs={fetchedAtMs} state={grant.state} /> : <Badge color="gray">{grant.endReason ?? 'ended'}</Badge>}
        </Group>
        <Text size="sm" c="dimmed">
          {formatWhen(grant.startsAt)} → {formatWhen(grant.endedAt ?? grant.endsAt)}
          {grant.endedBy === null ? '' : ` (ended by ${grant.endedBy})`}
        </Text>
        {open ? <CopyCommand command={connectionCommand(grant)} /> : null}
        {open ? <GrantActions grant={grant} /> : null}
      </Stack>
    </Card>
  );
}

export function GrantsPage() {
  const [state, setState] = useState<'open' | 'ended'>('open');
  const grants = useMyGrants(state);
  const items = itemsOf(grants.data);
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Grants</Title>
        <SegmentedControl aria-label="Which grants" value={state} onChange={(v) => { setState(v === 'ended' ? 'ended' : 'open'); }} data={[{ value: 'open', label: 'Active' }, { value: 'ended', label: 'Past' }]} />
      </Group>
      {grants.isPending ? <Loading /> : grants.isError ? <LoadError error={grants.error} retry={() => void grants.refetch()} /> : items.length === 0 ? (
        <Empty>{state === 'open' ? 'No active grants.' : 'No past grants.'}</Empty>
      ) : (
        <Stack>
          {items.map((grant) => <GrantCard key={grant.id} grant={grant} fetchedAtMs={grants.dataUpdatedAt} />)}
          <LoadMore hasMore={grants.hasNextPage} loading={grants.isFetchingNextPage} onLoad={() => void grants.fetchNextPage()} />
        </Stack>
      )}
    </Stack>
  );
}
