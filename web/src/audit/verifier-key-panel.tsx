// Which verifier key the checks use (pinned by you, or served by this Writ), with a field to pin one obtained elsewhere.
import { Alert, Badge, Button, Code, CopyButton, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { parseVerifierKey } from '../ledger/signed-note.ts';
import type { KeyChoice } from './pinned-log-key.ts';

export function VerifierKeyPanel({ choice, served }: { readonly choice: KeyChoice; readonly served: string | undefined }) {
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const pin = async (): Promise<void> => {
    const parsed = await parseVerifierKey(draft);
    if (!parsed.ok) {
      setProblem(parsed.reason);
      return;
    }
    setProblem(undefined);
    setDraft('');
    choice.pin(parsed.value.text);
  };
  return (
    <Stack gap="xs" data-testid="key-panel">
      <Group gap="xs" wrap="wrap">
        <Text size="sm" fw={600}>Verifier key used</Text>
        <Badge color={choice.source === 'pinned' ? 'indigo' : 'gray'} variant="light">{choice.source === 'pinned' ? 'pinned in this browser' : 'served by this Writ server'}</Badge>
      </Group>
      <Group gap={4} wrap="nowrap">
        <Code style={{ overflowX: 'auto', whiteSpace: 'nowrap', minWidth: 0 }} data-testid="key-used">{choice.text ?? '(none yet)'}</Code>
        {choice.text === undefined ? null : (
          <CopyButton value={choice.text}>
            {({ copied, copy }) => <Button size="compact-xs" variant="subtle" onClick={copy} aria-label="Copy the verifier key" style={{ flexShrink: 0 }}>{copied ? 'Copied' : 'Copy'}</Button>}
          </CopyButton>
        )}
      </Group>
      {choice.source === 'pinned' && served !== undefined && served !== choice.text ? (
        <Alert color="orange" role="status" p="xs">The server now serves a different key: <Code>{served}</Code></Alert>
      ) : null}
      <form onSubmit={(e) => { e.preventDefault(); void pin(); }}>
        <Group align="flex-end" gap="xs" wrap="wrap">
          <TextInput
            style={{ flex: 1, minWidth: 240 }}
            label="Pin a key you obtained yourself"
            description="e.g. from writ keys show on the server, or your organisation's records"
            placeholder="name+1a2b3c4d+AB…"
            value={draft}
            maxLength={400}
            error={problem}
            onChange={(e) => { setDraft(e.currentTarget.value); }}
          />
          <Button type="submit" variant="light" disabled={draft.trim() === ''}>Pin key</Button>
          {choice.pinned === null ? null : <Button variant="default" onClick={() => { choice.unpin(); }}>Unpin (use the server's)</Button>}
        </Group>
      </form>
    </Stack>
  );
}
