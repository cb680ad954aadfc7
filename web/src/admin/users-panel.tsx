// Users: create one (its generated one-time password shown once), change a user's roles, disable or enable it, reset its password.
import { Alert, Badge, Button, Checkbox, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { messageOf } from '../api/api-error.ts';
import { api, type ApiAnswer } from '../api/client.ts';
import { Empty, LoadMore, Loading } from '../components/page-states.tsx';
import { AdminLoadError } from './admin-states.tsx';
import { ShownOnce } from './shown-once.tsx';

type UserView = ApiAnswer<'/api/v1/users', 'get'>['items'][number];
type Role = 'admin' | 'auditor' | 'user';
/** The roles the API knows (createUserBody and patchUserBody in src/http/identity-schemas.ts). */
const ROLES: readonly Role[] = ['user', 'auditor', 'admin'];
const USERS_KEY = ['admin', 'users'] as const;
const PASSWORD_NOTE = 'Give it to the user over a channel you trust; they choose their own at first sign-in. Writ keeps only its hash.';

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

function CreateUser() {
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [roles, setRoles] = useState<string[]>(['user']);
  const [created, setCreated] = useState<{ username: string; password: string | null } | undefined>();
  const create = useMutation({
    mutationFn: () => api('post', '/api/v1/users', { body: { username: username.trim(), roles: roles.filter(isRole), ...(displayName.trim() === '' ? {} : { displayName: displayName.trim() }) } }),
    onSuccess: async (answer) => {
      setCreated({ username: answer.user.username, password: answer.oneTimePassword });
      setUsername('');
      setDisplayName('');
      setRoles(['user']);
      await queryClient.invalidateQueries({ queryKey: USERS_KEY });
    },
  });
  const done = (): void => {
    setCreated(undefined);
    create.reset();
  };
  if (created !== undefined) {
    if (created.password === null) return <Alert color="teal" role="status" withCloseButton onClose={done}>{`Created ${created.username}; it has no password (it signs in another way).`}</Alert>;
    return <ShownOnce what="one-time password" note={`For ${created.username}. ${PASSWORD_NOTE}`} value={created.password} onDone={done} />;
  }
  return (
    <form aria-label="Create a user" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
      <Stack gap="xs">
        <Group align="flex-end" gap="xs" wrap="wrap">
          <TextInput label="New username" required maxLength={64} value={username} onChange={(e) => { setUsername(e.currentTarget.value); }} />
          <TextInput label="Display name (optional)" maxLength={256} value={displayName} onChange={(e) => { setDisplayName(e.currentTarget.value); }} />
        </Group>
        <Checkbox.Group label="Roles of the new user" value={roles} onChange={setRoles}>
          <Group gap="sm" mt={4}>{ROLES.map((r) => <Checkbox key={r} value={r} label={r} />)}</Group>
        </Checkbox.Group>
        <Group><Button type="submit" loading={create.isPending} disabled={username.trim() === ''}>Create user</Button></Group>
        {create.error === null ? null : <Alert color="red" role="alert">{messageOf(create.error)}</Alert>}
      </Stack>
    </form>
  );
}

type Change = { kind: 'roles'; roles: Role[] } | { kind: 'disabled'; disabled: boolean } | { kind: 'reset' };
type Mode = 'none' | 'roles' | 'disable' | 'reset';

function UserActions({ user }: { readonly user: UserView }) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<Mode>('none');
  const [roles, setRoles] = useState<string[]>(user.roles);
  const [password, setPassword] = useState<string | undefined>();
  const change = useMutation({
    mutationFn: async (c: Change): Promise<string | null> => {
      const path = { user: user.username };
      if (c.kind === 'reset') return (await api('post', '/api/v1/users/{user}/password-reset', { path })).oneTimePassword;
      await api('patch', '/api/v1/users/{user}', { path, body: c.kind === 'roles' ? { roles: c.roles } : { disabled: c.disabled } });
      return null;
    },
    onSuccess: async (oneTimePassword) => {
      setMode('none');
      if (oneTimePassword !== null) setPassword(oneTimePassword);
      await queryClient.invalidateQueries({ queryKey: USERS_KEY });
    },
  });
  const cancel = (): void => {
    setMode('none');
    setRoles(user.roles);
    change.reset();
  };
  if (password !== undefined) return <ShownOnce what="one-time password" note={`For ${user.username}. ${PASSWORD_NOTE}`} value={password} onDone={() => { setPassword(undefined); change.reset(); }} />;
  const failure = change.error === null ? null : <Text size="xs" c="red" role="alert">{messageOf(change.error)}</Text>;
  if (mode === 'none') {
    return (
      <Stack gap={4}>
        <Group gap={4} wrap="nowrap">
          <Button size="compact-xs" variant="light" aria-label={`Change roles of ${user.username}…`} onClick={() => { setRoles(user.roles); setMode('roles'); }}>Roles…</Button>
          <Button size="compact-xs" variant="light" color={user.disabled ? 'teal' : 'red'} aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.username}…`} onClick={() => { setMode('disable'); }}>{user.disabled ? 'Enable…' : 'Disable…'}</Button>
          <Button size="compact-xs" variant="subtle" aria-label={`Reset the password of ${user.username}…`} onClick={() => { setMode('reset'); }}>Reset password…</Button>
        </Group>
        {failure}
      </Stack>
    );
  }
  const confirm = mode === 'roles'
    ? { label: `Save roles of ${user.username}`, text: 'Save roles', color: 'blue', change: { kind: 'roles', roles: roles.filter(isRole) } as const }
    : mode === 'disable'
      ? { label: `${user.disabled ? 'Enable' : 'Disable'} ${user.username} now`, text: user.disabled ? 'Enable now' : 'Disable now', color: user.disabled ? 'teal' : 'red', change: { kind: 'disabled', disabled: !user.disabled } as const }
      : { label: `Reset the password of ${user.username} now`, text: 'Reset now', color: 'orange', change: { kind: 'reset' } as const };
  return (
    <Stack gap={4} miw={220}>
      {mode === 'roles' ? (
        <Checkbox.Group label={`Roles of ${user.username}`} value={roles} onChange={setRoles}>
          <Group gap="xs" mt={2}>{ROLES.map((r) => <Checkbox key={r} size="xs" value={r} label={r} />)}</Group>
        </Checkbox.Group>
      ) : (
        <Text size="xs">{mode === 'disable' ? (user.disabled ? 'They can sign in again.' : 'Their sessions and tokens stop working.') : 'Their current password stops working.'}</Text>
      )}
      <Group gap={4} wrap="nowrap">
        <Button size="compact-xs" color={confirm.color} loading={change.isPending} aria-label={confirm.label} onClick={() => { change.mutate(confirm.change); }}>{confirm.text}</Button>
        <Button size="compact-xs" variant="default" onClick={cancel}>Cancel</Button>
      </Group>
      {failure}
    </Stack>
  );
}

function UserList() {
  const users = useInfiniteQuery({
    queryKey: USERS_KEY,
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
      <Table.ScrollContainer minWidth={760}>
        <Table striped aria-label="Users">
          <Table.Thead><Table.Tr><Table.Th>User</Table.Th><Table.Th>Kind</Table.Th><Table.Th>Roles</Table.Th><Table.Th>State</Table.Th><Table.Th /></Table.Tr></Table.Thead>
          <Table.Tbody>
            {items.map((u) => (
              <Table.Tr key={u.id} data-testid="user-row">
                <Table.Td><Text size="sm" fw={500}>{u.username}</Text><Text size="xs" c="dimmed">{u.displayName}{u.email === null ? '' : ` · ${u.email}`}</Text></Table.Td>
                <Table.Td>{u.kind}</Table.Td>
                <Table.Td><Group gap={4}>{u.roles.map((r) => <Badge key={r} size="xs" variant="light">{r}</Badge>)}</Group></Table.Td>
                <Table.Td>{u.disabled ? <Badge color="gray" size="sm">disabled</Badge> : u.mustChangePassword ? <Badge color="orange" size="sm" variant="light">must change password</Badge> : <Badge color="teal" size="sm" variant="light">active</Badge>}</Table.Td>
                <Table.Td><UserActions user={u} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={users.hasNextPage} loading={users.isFetchingNextPage} onLoad={() => void users.fetchNextPage()} />
    </Stack>
  );
}

export function UsersPanel() {
  return (
    <Stack gap="xs">
      <CreateUser />
      <UserList />
    </Stack>
  );
}
