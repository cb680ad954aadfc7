// The loading, error and empty states every page shows, one look for all of them.
import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { messageOf } from '../api/api-error.ts';

export function Loading({ label = 'Loading…' }: { readonly label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Stack align="center" gap="xs">
        <Loader size="sm" aria-hidden />
        <Text size="sm" c="dimmed">{label}</Text>
      </Stack>
    </Center>
  );
}

export function LoadError({ error, retry }: { readonly error: unknown; readonly retry?: () => void }) {
  return (
    <Alert color="red" title="Could not load this" role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{messageOf(error)}</Text>
        {retry === undefined ? null : <Button size="xs" variant="light" color="red" onClick={retry}>Try again</Button>}
      </Stack>
    </Alert>
  );
}

export function Empty({ children }: { readonly children: ReactNode }) {
  return (
    <Text c="dimmed" size="sm" py="md" ta="center">
      {children}
    </Text>
  );
}

/** A "Load more" button for cursor-paginated lists (the server decides the page size). */
export function LoadMore({ hasMore, loading, onLoad }: { readonly hasMore: boolean; readonly loading: boolean; readonly onLoad: () => void }) {
  if (!hasMore) return null;
  return (
    <Center>
      <Button variant="subtle" loading={loading} onClick={onLoad}>Load more</Button>
    </Center>
  );
}
