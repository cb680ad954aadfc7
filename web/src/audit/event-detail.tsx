// One event in full: the browser's verdict on its proof, the canonical entry, index, leaf hash, proof, checkpoint and receipt.
import { Badge, Code, CopyButton, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { decodeBase64 } from '../ledger/bytes.ts';
import { LoadError, Loading } from '../components/page-states.tsx';
import { formatWhen } from '../access/time-format.ts';
import { useEventWithProof, type LogKeys } from './audit-queries.ts';
import { describeEvent, OUTCOME_COLOR } from './event-summary.ts';
import { ProofResult } from './proof-result.tsx';
import { useProofCheck } from './use-proof-check.ts';

function entryText(base64: string): string {
  const bytes = decodeBase64(base64);
  return bytes === undefined ? '(not base64)' : new TextDecoder().decode(bytes);
}

function Block({ label, children }: { readonly label: string; readonly children: string }) {
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text size="sm" fw={600}>{label}</Text>
        <CopyButton value={children}>{({ copied, copy }) => <Button size="compact-xs" variant="subtle" onClick={copy} aria-label={`Copy the ${label.toLowerCase()}`}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
      </Group>
      <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{children}</Code>
    </Stack>
  );
}

export function EventDetail({ id, keyText, keys }: { readonly id: string; readonly keyText: string | undefined; readonly keys: LogKeys | undefined }) {
  const answer = useEventWithProof(id);
  const check = useProofCheck(id, answer.data, keyText, keys);
  if (answer.isPending) return <Loading label="Loading the event and its proof…" />;
  if (answer.isError) return <LoadError error={answer.error} retry={() => void answer.refetch()} />;
  const data = answer.data;
  const summary = describeEvent(data.event);
  return (
    <Stack gap="md" data-testid="event-detail">
      <Group gap="xs" wrap="wrap">
        <Title order={3} size="h4">{summary.type}</Title>
        <Badge color={OUTCOME_COLOR[summary.outcome]}>{summary.outcome}</Badge>
      </Group>
      {keyText === undefined ? <Loading label="Fetching the verifier key…" /> : check.isPending ? <Loading label="Verifying in this browser…" /> : check.isError ? <LoadError error={check.error} /> : <ProofResult result={check.data} />}
      <Table variant="vertical" layout="fixed" withTableBorder>
        <Table.Tbody>
          <Table.Tr><Table.Th w={120}>Time</Table.Th><Table.Td>{formatWhen(summary.time)} ({summary.time})</Table.Td></Table.Tr>
          <Table.Tr><Table.Th>Actor</Table.Th><Table.Td>{summary.actor}</Table.Td></Table.Tr>
          <Table.Tr><Table.Th>Targets</Table.Th><Table.Td style={{ wordBreak: 'break-all' }}>{summary.targets === '' ? '—' : summary.targets}</Table.Td></Table.Tr>
          <Table.Tr><Table.Th>Log index</Table.Th><Table.Td data-testid="event-index">{data.index === null ? 'pending' : data.index}</Table.Td></Table.Tr>
          <Table.Tr><Table.Th>Leaf hash</Table.Th><Table.Td style={{ wordBreak: 'break-all' }}>{check.data?.outcome.kind === 'verified' ? check.data.outcome.leafHashBase64 : '—'}</Table.Td></Table.Tr>
          <Table.Tr><Table.Th>Event id</Table.Th><Table.Td style={{ wordBreak: 'break-all' }}>{data.event.id}</Table.Td></Table.Tr>
        </Table.Tbody>
      </Table>
      <Block label="Canonical entry (RFC 8785)">{entryText(data.entry)}</Block>
      {data.inclusionProof === null ? null : (
        <Block label={`Inclusion proof (leaf ${data.inclusionProof.leafIndex} of ${data.inclusionProof.treeSize})`}>{data.inclusionProof.hashes.join('\n') || '(none: a tree of one)'}</Block>
      )}
      {data.checkpoint === null ? null : <Block label="Checkpoint (signed note)">{data.checkpoint.note}</Block>}
      {data.receipt === null ? null : <Block label="Receipt (c2sp.org/tlog-proof@v1)">{data.receipt}</Block>}
    </Stack>
  );
}
