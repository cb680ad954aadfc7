// Ledger status: the published checkpoint checked in this browser, tree size, witnesses and their last cosignatures, the verifier key.
import { Alert, Badge, Card, Code, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { formatWhen } from '../access/time-format.ts';
import { useLogKeys } from '../audit/audit-queries.ts';
import { useHealth, usePublishedCheckpoint, type Health } from '../audit/ledger-queries.ts';
import { useKeyChoice } from '../audit/pinned-log-key.ts';
import { VerifierKeyPanel } from '../audit/verifier-key-panel.tsx';
import { Empty, LoadError, Loading } from '../components/page-states.tsx';
import { checkCheckpoint } from '../ledger/checkpoint-check.ts';
import { COSIGNATURE_V1_TYPE, parseVerifierKey } from '../ledger/signed-note.ts';

function CheckpointCard({ note, keyText, witnessKeyTexts }: { readonly note: string; readonly keyText: string; readonly witnessKeyTexts: readonly string[] }) {
  const check = useQuery({
    queryKey: ['checkpoint-check', note, keyText, witnessKeyTexts],
    queryFn: async () => {
      const key = await parseVerifierKey(keyText);
      if (!key.ok) return { kind: 'failed' as const, reason: `the verifier key cannot be used: ${key.reason}` };
      const witnesses = (await Promise.all(witnessKeyTexts.map((w) => parseVerifierKey(w, COSIGNATURE_V1_TYPE)))).flatMap((p) => (p.ok ? [p.value] : []));
      return checkCheckpoint(note, key.value, witnesses);
    },
    staleTime: Infinity,
  });
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={3} size="h4">Published checkpoint</Title>
        <div data-testid="checkpoint-status">
          {check.isPending ? <Loading label="Verifying in this browser…" /> : check.isError ? <LoadError error={check.error} /> : check.data.kind === 'verified' ? (
            <Alert color="teal" role="status" title="verified" style={{ wordBreak: 'break-all' }}>
              Signed by {check.data.body.origin}: {check.data.body.size} entries, root {check.data.body.rootBase64}.
            </Alert>
          ) : (
            <Alert color="red" role="alert" title="failed" style={{ wordBreak: 'break-word' }}>{check.data.reason}</Alert>
          )}
        </div>
        {check.data?.kind === 'verified' ? (
          <Group gap="xs" wrap="wrap">
            <Text size="sm" fw={600}>Cosigned by:</Text>
            {check.data.cosignatures.length === 0 ? <Text size="sm" c="dimmed">no witness (this log has no witness policy, or none cosigned this one)</Text> : check.data.cosignatures.map((c) => (
              <Badge key={`${c.name}+${c.keyId}`} variant="light" color={c.status === 'verified' ? 'teal' : c.status === 'bad' ? 'red' : 'gray'}>
                {c.name}{c.timeSeconds === undefined ? '' : ` at ${formatWhen(new Date(c.timeSeconds * 1000).toISOString())}`} — {c.status === 'verified' ? 'verified' : c.status === 'bad' ? 'bad signature' : 'not checked'}
              </Badge>
            ))}
          </Group>
        ) : null}
        <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{note}</Code>
      </Stack>
    </Card>
  );
}

function WitnessTable({ publication }: { readonly publication: NonNullable<Health['publication']> }) {
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={3} size="h4">Witnesses</Title>
        <Text size="sm">Quorum: {publication.quorum} · signed {publication.signedSize} · published {publication.publishedSize}{publication.unpublishedForSeconds > 0 ? ` · waiting ${Math.round(publication.unpublishedForSeconds)} s for a quorum` : ''}</Text>
        {publication.witnesses.length === 0 ? <Empty>No witnesses in the policy.</Empty> : (
          <Table.ScrollContainer minWidth={560}>
            <Table striped>
              <Table.Thead>
                <Table.Tr><Table.Th>Witness</Table.Th><Table.Th>State</Table.Th><Table.Th>Last cosigned size</Table.Th><Table.Th>Last cosigned</Table.Th><Table.Th>Last error</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {publication.witnesses.map((w) => (
                  <Table.Tr key={w.name} data-testid="witness-row">
                    <Table.Td><Text size="sm" fw={500}>{w.name}</Text><Text size="xs" c="dimmed">{w.url}</Text></Table.Td>
                    <Table.Td><Badge color={w.up ? 'teal' : 'red'}>{w.up ? 'up' : `down (${w.consecutiveFailures} failures)`}</Badge></Table.Td>
                    <Table.Td>{w.lastCosignedSize ?? '—'}</Table.Td>
                    <Table.Td>{w.lastCosignedAt === null ? 'never' : formatWhen(w.lastCosignedAt)}</Table.Td>
                    <Table.Td><Text size="xs" style={{ wordBreak: 'break-word' }}>{w.lastError ?? '—'}</Text></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}

export function LedgerPage() {
  const health = useHealth();
  const checkpoint = usePublishedCheckpoint();
  const keys = useLogKeys();
  const choice = useKeyChoice(keys.data?.verifierKey);
  return (
    <Stack>
      <Title order={2}>Ledger status</Title>
      {health.isPending ? <Loading /> : health.isError ? <LoadError error={health.error} retry={() => void health.refetch()} /> : (
        <SimpleGrid cols={3} spacing="xs">
          <Card withBorder><Text size="xs" c="dimmed">Status</Text><Badge size="lg" color={health.data.status === 'ok' ? 'teal' : 'orange'}>{health.data.status}</Badge></Card>
          <Card withBorder><Text size="xs" c="dimmed">Entries (signed tree size)</Text><Text fw={700} size="xl" data-testid="tree-size">{health.data.treeSize}</Text></Card>
          <Card withBorder><Text size="xs" c="dimmed">Published</Text><Text fw={700} size="xl">{health.data.publication?.publishedSize ?? health.data.treeSize}</Text></Card>
        </SimpleGrid>
      )}
      <Card withBorder data-testid="ledger-key">
        <VerifierKeyPanel choice={choice} served={keys.data?.verifierKey} />
        {keys.isError ? <LoadError error={keys.error} retry={() => void keys.refetch()} /> : null}
      </Card>
      {checkpoint.isPending ? <Loading label="Loading the checkpoint…" /> : checkpoint.isError ? <LoadError error={checkpoint.error} retry={() => void checkpoint.refetch()} /> : choice.text === undefined ? <Loading label="Fetching the verifier key…" /> : (
        <CheckpointCard note={checkpoint.data} keyText={choice.text} witnessKeyTexts={(keys.data?.witnesses ?? []).map((w) => w.verifierKey)} />
      )}
      {health.data?.publication === undefined ? null : <WitnessTable publication={health.data.publication} />}
    </Stack>
  );
}
