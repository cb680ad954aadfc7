// A page not built yet: says so instead of showing nothing.
import { Stack, Text, Title } from '@mantine/core';

export function PlaceholderPage({ title }: { readonly title: string }) {
  return (
    <Stack>
      <Title order={2}>{title}</Title>
      <Text c="dimmed">This page is coming soon.</Text>
    </Stack>
  );
}
