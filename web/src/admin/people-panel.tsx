// Users and groups: users (users-panel.tsx); groups created, members added and removed.
import { Alert, Badge, Button, Card, CloseButton, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { messageOf } from '../api/api-error.ts';
import { api } from '../api/client.ts';
import { Empty, LoadMore, Loading } from '../components/page-states.tsx';
import { AdminLoadError } from './admin-states.tsx';
import { UsersPanel } from './users-panel.tsx';

function Members({ group }: { readonly group: string }) {
  const queryClient = useQueryClient();
  const [newMember, setNewMember] = useState('');
  const change = useMutation({
    mutationFn: ({ user, add }: { user: string; add: boolean }) => api(add ? 'put' : 'delete', '/api/v1/groups/{name}/members/{user}', { path: { name: group, user } }),
    onSuccess: async () => {
      setNewMember('');
      await queryClient.invalidateQueries({ queryKey: ['admin', 'group-members', group] });
    },
  });
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
    <Stack gap={4} mt={4}>
      <Group gap={4}>
        {items.length === 0 ? <Text size="sm" c="dimmed">No members.</Text> : items.map((u) => (
          <Badge key={u.id} variant="outline" pr={2} rightSection={<CloseButton size="xs" aria-label={`Remove ${u.username} from ${group}`} onClick={() => { change.mutate({ user: u.username, add: false }); }} />}>{u.username}</Badge>
        ))}
        <LoadMore hasMore={members.hasNextPage} loading={members.isFetchingNextPage} onLoad={() => void members.fetchNextPage()} />
      </Group>
      <form aria-label={`Membership of ${group}`} onSubmit={(e) => { e.preventDefault(); change.mutate({ user: newMember.trim(), add: true }); }}>
        <Group gap="xs" align="flex-end">
          <TextInput size="xs" label={`Add a member to ${group}`} placeholder="username" maxLength={64} value={newMember} onChange={(e) => { setNewMember(e.currentTarget.value); }} />
          <Button size="xs" type="submit" variant="light" loading={change.isPending} disabled={newMember.trim() === ''}>Add</Button>
        </Group>
      </form>
      {change.error === null ? null : <Alert color="red" role="alert" p="xs">{messageOf(change.error)}</Alert>}
    </Stack>
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

function CreateGroup() {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: () => api('post', '/api/v1/groups', { body: { name: name.trim(), ...(description.trim() === '' ? {} : { description: description.trim() }) } }),
    onSuccess: async () => {
      setName('');
      setDescription('');
      await queryClient.invalidateQueries({ queryKey: ['admin', 'groups'] });
    },
  });
  return (
    <form aria-label="Create a group" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <TextInput label="New group" placeholder="e.g. db-leads" maxLength={63} value={name} onChange={(e) => { setName(e.currentTarget.value); }} />
        <TextInput label="Description (optional)" maxLength={1024} value={description} onChange={(e) => { setDescription(e.currentTarget.value); }} />
        <Button type="submit" loading={create.isPending} disabled={name.trim() === ''}>Create group</Button>
      </Group>
      {create.error === null ? null : <Alert mt="xs" color="red" role="alert">{messageOf(create.error)}</Alert>}
    </form>
  );
}

export function PeoplePanel() {
  return (
    <Stack>
      <Title order={3} size="h4">Users</Title>
      <UsersPanel />
      <Title order={3} size="h4">Groups</Title>
      <CreateGroup />
      <Groups />
    </Stack>
  );
}
