// A command with a one-click copy button (the command holds no secret).
import { Button, Code, CopyButton, Group } from '@mantine/core';

export function CopyCommand({ command }: { readonly command: string }) {
  return (
    <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
      <Code style={{ overflowX: 'auto', whiteSpace: 'nowrap', minWidth: 0 }}>{command}</Code>
      <CopyButton value={command}>
        {({ copied, copy }) => (
          <Button size="compact-xs" style={{ flexShrink: 0 }} variant={copied ? 'filled' : 'light'} color={copied ? 'teal' : 'indigo'} onClick={copy} aria-label={copied ? 'Copied the command' : `Copy the command: ${command}`}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
