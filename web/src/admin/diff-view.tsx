// A policy diff, each line coloured by what it is.
import { Box, Text } from '@mantine/core';
import { diffCounts, diffLines, type DiffLineKind } from './policy-diff-lines.ts';

const COLOR: Readonly<Record<DiffLineKind, string | undefined>> = {
  file: 'var(--mantine-color-dimmed)',
  hunk: 'var(--mantine-color-indigo-7)',
  added: 'var(--mantine-color-teal-9)',
  removed: 'var(--mantine-color-red-9)',
  context: undefined,
  note: 'var(--mantine-color-dimmed)',
};
const BACKGROUND: Readonly<Record<DiffLineKind, string | undefined>> = { file: undefined, hunk: undefined, added: 'var(--mantine-color-teal-light)', removed: 'var(--mantine-color-red-light)', context: undefined, note: undefined };

export function DiffView({ diff }: { readonly diff: string }) {
  const lines = diffLines(diff);
  if (lines.length === 0) return <Text size="sm" c="dimmed">No changes.</Text>;
  const counts = diffCounts(lines);
  return (
    <Box>
      <Text size="xs" c="dimmed" mb={4}>{counts.added} lines added, {counts.removed} removed</Text>
      <Box component="pre" data-testid="policy-diff" style={{ margin: 0, overflowX: 'auto', fontSize: 12, border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}>
        {lines.map((line, i) => (
          <div key={i} style={{ color: COLOR[line.kind], background: BACKGROUND[line.kind], padding: '0 6px', whiteSpace: 'pre' }}>{line.text === '' ? ' ' : line.text}</div>
        ))}
      </Box>
    </Box>
  );
}
