// The policy: the version in force, earlier versions with their diffs, and a file to validate and apply.
import { Alert, Badge, Button, Card, Code, Group, List, Stack, Text, Textarea, Title, UnstyledButton } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { isApiError, messageOf } from '../api/api-error.ts';
import { api, type ApiAnswer } from '../api/client.ts';
import { formatWhen } from '../access/time-format.ts';
import { Empty, LoadMore, Loading } from '../components/page-states.tsx';
import { AdminLoadError } from './admin-states.tsx';
import { DiffView } from './diff-view.tsx';

type Problem = ApiAnswer<'/api/v1/policy/validate', 'post'>['problems'][number];

function Problems({ title, color, problems }: { readonly title: string; readonly color: string; readonly problems: readonly Problem[] }) {
  if (problems.length === 0) return null;
  return (
    <Alert color={color} title={title} role={color === 'red' ? 'alert' : 'status'}>
      <List size="sm">{problems.map((p, i) => <List.Item key={i}>line {p.line}, column {p.column} ({p.path}): {p.message}</List.Item>)}</List>
    </Alert>
  );
}

function VersionDiff({ version }: { readonly version: number }) {
  const detail = useQuery({ queryKey: ['admin', 'policy-version', version], queryFn: ({ signal }) => api('get', '/api/v1/policy/versions/{version}', { path: { version: String(version) }, signal }) });
  if (detail.isPending) return <Loading label={`Loading version ${version}…`} />;
  if (detail.isError) return <AdminLoadError error={detail.error} retry={() => void detail.refetch()} />;
  return <DiffView diff={detail.data.diff} />;
}

function Versions() {
  const [shown, setShown] = useState<number | undefined>();
  const versions = useInfiniteQuery({
    queryKey: ['admin', 'policy-versions'],
    queryFn: ({ pageParam, signal }) => api('get', '/api/v1/policy/versions', { query: { limit: 20, ...(pageParam === undefined ? {} : { cursor: pageParam }) }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (versions.isPending) return <Loading label="Loading versions…" />;
  if (versions.isError) return <AdminLoadError error={versions.error} retry={() => void versions.refetch()} />;
  const items = versions.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty>No versions yet.</Empty>;
  return (
    <Stack gap="xs">
      {items.map((v) => (
        <Card key={v.version} withBorder padding="xs">
          <UnstyledButton onClick={() => { setShown(shown === v.version ? undefined : v.version); }} aria-expanded={shown === v.version} aria-label={`Version ${v.version}: ${shown === v.version ? 'hide' : 'show'} its diff`} style={{ width: '100%' }}>
            <Group justify="space-between" wrap="wrap">
              <Text size="sm" fw={600}>Version {v.version} <Badge size="xs" variant="light">{v.source}</Badge></Text>
              <Text size="xs" c="dimmed">{v.appliedBy} · {formatWhen(v.appliedAt)} · {v.digest.slice(0, 19)}</Text>
            </Group>
          </UnstyledButton>
          {shown === v.version ? <VersionDiff version={v.version} /> : null}
        </Card>
      ))}
      <LoadMore hasMore={versions.hasNextPage} loading={versions.isFetchingNextPage} onLoad={() => void versions.fetchNextPage()} />
    </Stack>
  );
}

function Editor({ current }: { readonly current: string }) {
  const queryClient = useQueryClient();
  const [text, setText] = useState(current);
  const [confirming, setConfirming] = useState(false);
  const validate = useMutation({ mutationFn: () => api('post', '/api/v1/policy/validate', { body: { text } }) });
  const apply = useMutation({
    mutationFn: () => api('put', '/api/v1/policy', { body: { text } }),
    onSuccess: async () => {
      setConfirming(false);
      await queryClient.invalidateQueries({ queryKey: ['admin'] });
    },
  });
  const edited = (value: string): void => {
    setText(value);
    validate.reset();
    apply.reset();
    setConfirming(false);
  };
  return (
    <Stack gap="xs">
      <Textarea label="Policy file (YAML)" description="Edit, validate, then apply: applying records a new version on the ledger." autosize minRows={8} maxRows={30} value={text} onChange={(e) => { edited(e.currentTarget.value); }} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }} />
      <Group gap="xs">
        <Button variant="light" loading={validate.isPending} onClick={() => { validate.mutate(); }} disabled={text.trim() === ''}>Validate</Button>
        {confirming ? (
          <>
            <Button color="red" loading={apply.isPending} onClick={() => { apply.mutate(); }}>Apply now</Button>
            <Button variant="default" onClick={() => { setConfirming(false); }}>Cancel</Button>
          </>
        ) : <Button onClick={() => { setConfirming(true); }} disabled={text.trim() === '' || text === current}>Apply…</Button>}
      </Group>
      {validate.data === undefined ? null : validate.data.valid ? <Alert color="teal" role="status">Valid.</Alert> : null}
      {validate.data === undefined ? null : <Problems title="Problems" color="red" problems={validate.data.problems} />}
      {validate.data === undefined ? null : <Problems title="Warnings" color="orange" problems={validate.data.warnings} />}
      {apply.data === undefined ? null : (
        <Alert color="teal" role="status" title={apply.data.changed ? `Applied as version ${apply.data.version}` : 'Nothing changed'}>
          <DiffView diff={apply.data.diff} />
        </Alert>
      )}
      {validate.error === null ? null : <Alert color="red" role="alert">{messageOf(validate.error)}</Alert>}
      {apply.error === null ? null : <Alert color="red" role="alert">{messageOf(apply.error)}</Alert>}
    </Stack>
  );
}

export function PolicyPanel() {
  const policy = useQuery({ queryKey: ['admin', 'policy'], queryFn: ({ signal }) => api('get', '/api/v1/policy', { signal }) });
  const none = isApiError(policy.error, 404);
  if (policy.isPending) return <Loading label="Loading the policy…" />;
  if (policy.isError && !none) return <AdminLoadError error={policy.error} retry={() => void policy.refetch()} />;
  return (
    <Stack>
      <Card withBorder>
        <Stack gap="xs">
          <Title order={3} size="h4">In force</Title>
          {policy.data === undefined ? <Empty>No policy has been applied yet.</Empty> : (
            <>
              <Text size="sm" c="dimmed">Version {policy.data.version}, applied by {policy.data.appliedBy} {formatWhen(policy.data.appliedAt)} ({policy.data.source}) · {policy.data.digest}</Text>
              <Code block data-testid="policy-text" style={{ maxHeight: 360, overflow: 'auto' }}>{policy.data.text}</Code>
            </>
          )}
        </Stack>
      </Card>
      <Card withBorder><Stack gap="xs"><Title order={3} size="h4">Versions</Title><Versions /></Stack></Card>
      <Card withBorder><Stack gap="xs"><Title order={3} size="h4">Change the policy</Title><Editor key={policy.data?.version ?? 0} current={policy.data?.text ?? ''} /></Stack></Card>
    </Stack>
  );
}
