// API tokens: create one (its secret shown once, to copy), list and revoke them; the list never holds a secret.
import { Alert, Badge, Button, Checkbox, Group, NumberInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { messageOf } from '../api/api-error.ts';
import { api } from '../api/client.ts';
import { formatWhen } from '../access/time-format.ts';
import { Empty, LoadMore, Loading } from '../components/page-states.tsx';
import { AdminLoadError } from './admin-states.tsx';
import { ShownOnce } from './shown-once.tsx';

/** The scopes the API knows (src/identity/api-token.ts); the server refuses any the owner's roles do not allow. */
export const API_SCOPES = ['events:write', 'log:read', 'requests:read', 'requests:write', 'reviews:write', 'grants:write', 'policy:write', 'tokens:write', 'account:write', 'admin'] as const;
const TOKENS_KEY = ['admin', 'tokens'] as const;

function CreateToken() {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [days, setDays] = useState<number | string>(30);
  const [secret, setSecret] = useState<string | undefined>();
  const create = useMutation({
    mutationFn: () => api('post', '/api/v1/tokens', { body: { name: name.trim(), scopes, ...(typeof days === 'number' && days > 0 ? { expiresInSeconds: Math.round(days * 86_400) } : {}) } }),
    onSuccess: async (answer) => {
      setSecret(answer.token);
      setName('');
      setScopes([]);
      await queryClient.invalidateQueries({ queryKey: TOKENS_KEY });
    },
  });
  if (secret !== undefined) return <ShownOnce what="token" note="Writ keeps only its hash. Store it where it will be used; if it is lost, revoke it and create another." value={secret} onDone={() => { setSecret(undefined); create.reset(); }} />;
  return (
    <form aria-label="Create an API token" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
      <Stack gap="xs">
        <Group align="flex-end" gap="xs" wrap="wrap">
          <TextInput label="Token name" placeholder="e.g. ci-exporter" required maxLength={128} value={name} onChange={(e) => { setName(e.currentTarget.value); }} />
          <NumberInput label="Expires in (days; empty: never)" min={1} max={1830} value={days} onChange={setDays} w={220} />
        </Group>
        <Checkbox.Group label="Scopes" value={scopes} onChange={setScopes}>
          <Group gap="sm" mt={4}>{API_SCOPES.map((s) => <Checkbox key={s} value={s} label={s} />)}</Group>
        </Checkbox.Group>
        <Group><Button type="submit" loading={create.isPending} disabled={name.trim() === '' || scopes.length === 0}>Create token</Button></Group>
        {create.error === null ? null : <Alert color="red" role="alert">{messageOf(create.error)}</Alert>}
      </Stack>
    </form>
  );
}

function RevokeButton({ id, name }: { readonly id: string; readonly name: string }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation({ mutationFn: () => api('delete', '/api/v1/tokens/{id}', { path: { id } }), onSuccess: () => queryClient.invalidateQueries({ queryKey: TOKENS_KEY }) });
  if (!confirming) return <Button size="compact-xs" variant="light" color="red" onClick={() => { setConfirming(true); }} aria-label={`Revoke token ${name}…`}>Revoke…</Button>;
  return (
    <Group gap={4} wrap="nowrap">
      <Button size="compact-xs" color="red" loading={revoke.isPending} onClick={() => { revoke.mutate(); }} aria-label={`Revoke token ${name} now`}>Revoke now</Button>
      <Button size="compact-xs" variant="default" onClick={() => { setConfirming(false); }}>Cancel</Button>
      {revoke.error === null ? null : <Text size="xs" c="red">{messageOf(revoke.error)}</Text>}
    </Group>
  );
}

function TokenList() {
  const tokens = useInfiniteQuery({
    queryKey: TOKENS_KEY,
    queryFn: ({ pageParam, signal }) => api('get', '/api/v1/tokens', { query: { all: 'true', limit: 50, ...(pageParam === undefined ? {} : { cursor: pageParam }) }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (tokens.isPending) return <Loading label="Loading tokens…" />;
  if (tokens.isError) return <AdminLoadError error={tokens.error} retry={() => void tokens.refetch()} />;
  const items = tokens.data.pages.flatMap((p) => p.items);
  const fetchedAtMs = tokens.dataUpdatedAt;
  if (items.length === 0) return <Empty>No API tokens.</Empty>;
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={760}>
        <Table striped aria-label="API tokens">
          <Table.Thead><Table.Tr><Table.Th>Name</Table.Th><Table.Th>Owner</Table.Th><Table.Th>Scopes</Table.Th><Table.Th>Created</Table.Th><Table.Th>Expires</Table.Th><Table.Th>Last used</Table.Th><Table.Th /></Table.Tr></Table.Thead>
          <Table.Tbody>
            {items.map((t) => (
              <Table.Tr key={t.id} data-testid="token-row">
                <Table.Td><Text size="sm" fw={500}>{t.name}</Text></Table.Td>
                <Table.Td><Text size="xs">{t.ownerId}</Text></Table.Td>
                <Table.Td><Group gap={4}>{t.scopes.map((s) => <Badge key={s} size="xs" variant="light">{s}</Badge>)}</Group></Table.Td>
                <Table.Td><Text size="xs">{formatWhen(t.createdAt)}</Text></Table.Td>
                <Table.Td><Text size="xs">{t.expiresAt === null ? 'never' : formatWhen(t.expiresAt)}</Text></Table.Td>
                <Table.Td><Text size="xs">{t.lastUsedAt === null ? 'never' : formatWhen(t.lastUsedAt)}</Text></Table.Td>
                <Table.Td>{t.revokedAt !== null ? <Badge color="gray" size="sm">revoked</Badge> : t.expiresAt !== null && Date.parse(t.expiresAt) <= fetchedAtMs ? <Badge color="gray" size="sm" variant="outline">expired</Badge> : <RevokeButton id={t.id} name={t.name} />}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={tokens.hasNextPage} loading={tokens.isFetchingNextPage} onLoad={() => void tokens.fetchNextPage()} />
    </Stack>
  );
}

export function TokensPanel() {
  return (
    <Stack>
      <Title order={3} size="h4">New token</Title>
      <CreateToken />
      <Title order={3} size="h4">All tokens</Title>
      <TokenList />
    </Stack>
  );
}
