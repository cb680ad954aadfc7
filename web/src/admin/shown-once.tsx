// A secret in the one answer that carries it (a new API token, a one-time password): shown once to copy, then hidden for good.
import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

export function ShownOnce({ what, note, value, onDone }: { readonly what: string; readonly note: string; readonly value: string; readonly onDone: () => void }) {
  return (
    <Alert color="yellow" role="status" title={`Copy this ${what} now: you won't see it again`}>
      <Stack gap="xs">
        <Text size="sm">{note}</Text>
        <Group gap="xs" wrap="nowrap">
          <Code style={{ overflowX: 'auto', whiteSpace: 'nowrap' }}>{value}</Code>
          <CopyButton value={value}>{({ copied, copy }) => <Button size="xs" onClick={copy}>{copied ? 'Copied' : `Copy ${what}`}</Button>}</CopyButton>
        </Group>
        <Group><Button size="xs" variant="default" onClick={onDone}>{`Done: hide the ${what}`}</Button></Group>
      </Stack>
    </Alert>
  );
}
