// A grant's time left, counting down from the server's answer.
import { Text } from '@mantine/core';
import { formatTimeLeft, secondsLeftNow } from '../access/time-format.ts';
import { useNow } from './use-now.ts';

export function TimeLeft({ secondsLeft, fetchedAtMs, state }: { readonly secondsLeft: number; readonly fetchedAtMs: number; readonly state: string }) {
  const now = useNow(1000);
  if (state === 'scheduled') return <Text span size="sm" c="dimmed">not started</Text>;
  const left = secondsLeftNow(secondsLeft, fetchedAtMs, now);
  return (
    <Text span size="sm" fw={500} c={left < 600 ? 'orange' : 'inherit'} data-testid="time-left">
      {formatTimeLeft(left)}
    </Text>
  );
}
