// Everyone's open grants (active first, then scheduled; soonest end first; pages of 200, the API's most), each revocable with a reason
// after a confirmation.
import { Alert, Badge, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { messageOf } from '../api/api-error.ts';
import { api } from '../api/client.ts';
import { itemsOf, type GrantView } from '../access/access-queries.ts';
import { formatWhen } from '../access/time-format.ts';
import { Empty, LoadMore, Loading } from '../components/page-states.tsx';
import { TimeLeft } from '../components/time-left.tsx';
import { AdminLoadError } from './admin-states.tsx';

/** Under ['grants'], so the live stream's notices and a countdown reaching zero refresh it too. */
const ALL_OPEN_GRANTS_KEY = ['grants', 'all', 'open'] as const;

/** Active grants before scheduled ones, each group by the soonest end. */
export function byActiveThenEnd(a: GrantView, b: GrantView): number {
  const rank = (g: GrantView): number => (g.state === 'active' ? 0 : 1);
  return rank(a) - rank(b) || Date.parse(a.endsAt) - Date.parse(b.endsAt);
}

function RevokeGrant({ grant }: { readonly grant: GrantView }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const trimmed = reason.trim();
  const what = `${grant.user.username}'s ${grant.level} grant on ${grant.resourceId}`;
  const revoke = useMutation({
    mutationFn: () => api('post', '/api/v1/grants/{id}/revoke', { path: { id: grant.id }, body: { reason: trimmed } }),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['grants'] }), queryClient.invalidateQueries({ queryKey: ['requests'] })]),
  });
  if (!confirming) return <Button size="compact-xs" variant="light" color="red" aria-label={`Revoke ${what}…`} onClick={() => { setConfirming(true); }}>Revoke…</Button>;
  return (
    <form aria-label={`Revoke ${what}`} onSubmit={(e) => { e.preventDefault(); if (trimmed !== '') revoke.mutate(); }}>
      <Stack gap={4} miw={220}>
        <TextInput size="xs" label="Reason (recorded in the audit log)" required maxLength={1024} value={reason} onChange={(e) => { setReason(e.currentTarget.value); }} />
        <Group gap={4} wrap="nowrap">
          <Button size="compact-xs" color="red" type="submit" loading={revoke.isPending} disabled={trimmed === ''} aria-label={`Revoke ${what} now`}>Revoke now</Button>
          <Button size="compact-xs" variant="default" onClick={() => { setConfirming(false); setReason(''); revoke.reset(); }}>Cancel</Button>
        </Group>
        {revoke.error === null ? null : <Alert color="red" role="alert" p="xs">{messageOf(revoke.error)}</Alert>}
      </Stack>
    </form>
  );
}

export function GrantsPanel() {
  const grants = useInfiniteQuery({
    queryKey: ALL_OPEN_GRANTS_KEY,
    queryFn: ({ pageParam, signal }) => api('get', '/api/v1/grants', { query: { view: 'all', state: 'open', limit: 200, ...(pageParam === undefined ? {} : { cursor: pageParam }) }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (grants.isPending) return <Loading label="Loading grants…" />;
  if (grants.isError) return <AdminLoadError error={grants.error} retry={() => void grants.refetch()} />;
  const items = itemsOf(grants.data).sort(byActiveThenEnd);
  if (items.length === 0) return <Empty>No one holds an open grant.</Empty>;
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={760}>
        <Table striped aria-label="Open grants">
          <Table.Thead><Table.Tr><Table.Th>User</Table.Th><Table.Th>Resource</Table.Th><Table.Th>Level</Table.Th><Table.Th>Ends at</Table.Th><Table.Th>Time left</Table.Th><Table.Th /></Table.Tr></Table.Thead>
          <Table.Tbody>
            {items.map((g) => (
              <Table.Tr key={g.id} data-testid="admin-grant">
                <Table.Td><Text size="sm" fw={500}>{g.user.username}</Text></Table.Td>
                <Table.Td><Text size="sm">{g.resourceId}</Text>{g.breakGlass ? <Badge color="red" size="xs">break-glass</Badge> : null}</Table.Td>
                <Table.Td><Badge variant="light" size="sm">{g.level}</Badge></Table.Td>
                <Table.Td><Text size="xs">{formatWhen(g.endsAt)}</Text></Table.Td>
                <Table.Td><TimeLeft secondsLeft={g.secondsLeft} fetchedAtMs={grants.dataUpdatedAt} state={g.state} /></Table.Td>
                <Table.Td><RevokeGrant grant={g} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={grants.hasNextPage} loading={grants.isFetchingNextPage} onLoad={() => void grants.fetchNextPage()} />
    </Stack>
  );
}
