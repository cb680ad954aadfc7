// A grant's time left, counting down from the server's answer; at zero the grant lists are asked again.
import { Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { formatTimeLeft, secondsLeftNow } from '../access/time-format.ts';
import { useNow } from './use-now.ts';

export function TimeLeft({ secondsLeft, fetchedAtMs, state }: { readonly secondsLeft: number; readonly fetchedAtMs: number; readonly state: string }) {
  const now = useNow(1000);
  const queryClient = useQueryClient();
  const left = secondsLeftNow(secondsLeft, fetchedAtMs, now);
  const endedHere = state === 'active' && secondsLeft > 0 && left === 0;
  useEffect(() => {
    // Expiry is the scheduler's doing, not a command: no stream notice comes, so refetch when the countdown ends.
    if (endedHere) void queryClient.invalidateQueries({ queryKey: ['grants'] });
  }, [endedHere, queryClient]);
  if (state === 'scheduled') return <Text span size="sm" c="dimmed">not started</Text>;
  return (
    <Text span size="sm" fw={500} c={left < 600 ? 'orange' : 'inherit'} data-testid="time-left">
      {formatTimeLeft(left)}
    </Text>
  );
}
