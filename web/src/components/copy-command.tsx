// A command with a one-click copy button (the command holds no secret).
import { ActionIcon, Code, CopyButton, Group, Tooltip } from '@mantine/core';

export function CopyCommand({ command }: { readonly command: string }) {
  return (
    <Group gap={4} wrap="nowrap">
      <Code style={{ overflowX: 'auto', whiteSpace: 'nowrap' }}>{command}</Code>
      <CopyButton value={command}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy the command'} withArrow>
            <ActionIcon variant="subtle" onClick={copy} aria-label={copied ? 'Copied' : `Copy: ${command}`}>
              <span aria-hidden>{copied ? '✓' : '⧉'}</span>
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
