// The browser's verdict on one event: "verified" with what was checked, or "failed" with the step and the reason.
import { Alert, Badge, Group, List, Stack, Text } from '@mantine/core';
import { STEP_FAILURE, type ProofStep } from '../ledger/event-proof-check.ts';
import type { ProofCheckResult } from './use-proof-check.ts';

const STEPS: readonly [ProofStep, string][] = [
  ['note', 'checkpoint note parsed (origin, size, root)'],
  ['key', 'signed by the verifier key'],
  ['signature', 'Ed25519 signature valid'],
  ['checkpoint', "the answer's checkpoint is the signed one"],
  ['leaf', 'leaf hash SHA-256(0x00 ‖ entry) matches'],
  ['proof', 'inclusion proof reaches the root'],
];

function stepMarks(failedStep: ProofStep | undefined): { step: ProofStep; label: string; mark: '✓' | '✗' | '–' }[] {
  const failedAt = failedStep === undefined ? STEPS.length : STEPS.findIndex(([step]) => step === failedStep);
  return STEPS.map(([step, label], i) => ({ step, label, mark: i < failedAt ? '✓' : i === failedAt ? '✗' : '–' }));
}

export function ProofResult({ result }: { readonly result: ProofCheckResult }) {
  const { outcome } = result;
  if (outcome.kind === 'pending') return <Alert color="gray" role="status" data-testid="proof-status">Not verified yet: {outcome.reason}.</Alert>;
  if (outcome.kind === 'bad-key') return <Alert color="red" role="alert" data-testid="proof-status">failed: {outcome.reason}</Alert>;
  const failedStep = outcome.kind === 'failed' ? outcome.step : undefined;
  return (
    <Stack gap="xs">
      {outcome.kind === 'verified' ? (
        <Alert color="teal" role="status" data-testid="proof-status" title="verified" style={{ wordBreak: 'break-all' }}>
          Checked in this browser: the entry is in the tree of size {outcome.treeSize}, whose root {outcome.rootBase64} is signed by {outcome.origin}.
        </Alert>
      ) : (
        <Alert color="red" role="alert" data-testid="proof-status" title={`failed: ${STEP_FAILURE[outcome.step]}`} style={{ wordBreak: 'break-word' }}>
          {outcome.reason}
        </Alert>
      )}
      <List size="sm" spacing={2} listStyleType="none" aria-label="Verification steps">
        {stepMarks(failedStep).map(({ step, label, mark }) => (
          <List.Item key={step}>
            <Text span c={mark === '✓' ? 'teal' : mark === '✗' ? 'red' : 'dimmed'} aria-hidden>{mark} </Text>
            <Text span size="sm">{label}{mark === '–' ? ' (not reached)' : ''}{step === 'leaf' && mark === '✓' && !result.tileChecked ? ' (not compared with the log’s tile: it could not be fetched)' : ''}</Text>
          </List.Item>
        ))}
      </List>
      {outcome.kind === 'verified' ? (
        <Group gap="xs" wrap="wrap" data-testid="cosigners">
          <Text size="sm" fw={600}>Witness cosignatures:</Text>
          {outcome.cosignatures.length === 0 ? <Text size="sm" c="dimmed">none in this checkpoint</Text> : outcome.cosignatures.map((c) => (
            <Badge key={`${c.name}+${c.keyId}`} variant="light" color={c.status === 'verified' ? 'teal' : c.status === 'bad' ? 'red' : 'gray'}>
              {c.name}{c.timeSeconds === undefined ? '' : ` at ${new Date(c.timeSeconds * 1000).toISOString()}`} — {c.status === 'verified' ? 'verified' : c.status === 'bad' ? 'bad signature' : 'key unknown, not checked'}
            </Badge>
          ))}
        </Group>
      ) : null}
    </Stack>
  );
}
