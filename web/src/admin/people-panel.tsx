// Users and groups: who exists, their roles and state, and each group's members.
import { Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.ts';
import { Empty, LoadMore, Loading } from '../components/page-states.tsx';
import { AdminLoadError } from './admin-states.tsx';

function Users() {
  const users = useInfiniteQuery({
    queryKey: ['admin', 'users'],
    queryFn: ({ pageParam, signal }) => api('get', '/api/v1/users', { query: { limit: 50, ...(pageParam === undefined ? {} : { cursor: pageParam }) }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (users.isPending) return <Loading label="Loading users…" />;
  if (users.isError) return <AdminLoadError error={users.error} retry={() => void users.refetch()} />;
  const items = users.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty>No users.</Empty>;
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={560}>
        <Table striped aria-label="Users">
          <Table.Thead><Table.Tr><Table.Th>User</Table.Th><Table.Th>Kind</Table.Th><Table.Th>Roles</Table.Th><Table.Th>State</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {items.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td><Text size="sm" fw={500}>{u.username}</Text><Text size="xs" c="dimmed">{u.displayName}{u.email === null ? '' : ` · ${u.email}`}</Text></Table.Td>
                <Table.Td>{u.kind}</Table.Td>
                <Table.Td><Group gap={4}>{u.roles.map((r) => <Badge key={r} size="xs" variant="light">{r}</Badge>)}</Group></Table.Td>
                <Table.Td>{u.disabled ? <Badge color="gray" size="sm">disabled</Badge> : u.mustChangePassword ? <Badge color="orange" size="sm" variant="light">must change password</Badge> : <Badge color="teal" size="sm" variant="light">active</Badge>}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={users.hasNextPage} loading={users.isFetchingNextPage} onLoad={() => void users.fetchNextPage()} />
    </Stack>
  );
}

function Members({ group }: { readonly group: string }) {
  const members = useInfiniteQuery({
    queryKey: ['admin', 'group-members', group],
    queryFn: ({ pageParam, signal }) => api('get', '/api/v1/groups/{name}/members', { path: { name: group }, query: { limit: 100, ...(pageParam === undefined ? {} : { cursor: pageParam }) }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (members.isPending) return <Loading label="Loading members…" />;
  if (members.isError) return <AdminLoadError error={members.error} retry={() => void members.refetch()} />;
  const items = members.data.pages.flatMap((p) => p.items);
  return (
    <Group gap={4} mt={4}>
      {items.length === 0 ? <Text size="sm" c="dimmed">No members.</Text> : items.map((u) => <Badge key={u.id} variant="outline">{u.username}</Badge>)}
      <LoadMore hasMore={members.hasNextPage} loading={members.isFetchingNextPage} onLoad={() => void members.fetchNextPage()} />
    </Group>
  );
}

function Groups() {
  const [open, setOpen] = useState<string | undefined>();
  const groups = useInfiniteQuery({
    queryKey: ['admin', 'groups'],
    queryFn: ({ pageParam, signal }) => api('get', '/api/v1/groups', { query: { limit: 100, ...(pageParam === undefined ? {} : { cursor: pageParam }) }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (groups.isPending) return <Loading label="Loading groups…" />;
  if (groups.isError) return <AdminLoadError error={groups.error} retry={() => void groups.refetch()} />;
  const items = groups.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty>No groups.</Empty>;
  return (
    <Stack gap="xs">
      {items.map((g) => (
        <Card key={g.id} withBorder padding="xs">
          <Group justify="space-between" wrap="wrap">
            <Text size="sm"><Text span fw={600}>{g.name}</Text>{g.description === '' ? '' : ` — ${g.description}`}</Text>
            <Button size="compact-xs" variant="subtle" aria-expanded={open === g.name} onClick={() => { setOpen(open === g.name ? undefined : g.name); }}>{open === g.name ? 'Hide members' : `Members of ${g.name}`}</Button>
          </Group>
          {open === g.name ? <Members group={g.name} /> : null}
        </Card>
      ))}
      <LoadMore hasMore={groups.hasNextPage} loading={groups.isFetchingNextPage} onLoad={() => void groups.fetchNextPage()} />
    </Stack>
  );
}

export function PeoplePanel() {
  return (
    <Stack>
      <Title order={3} size="h4">Users</Title>
      <Users />
      <Title order={3} size="h4">Groups</Title>
      <Groups />
    </Stack>
  );
}
