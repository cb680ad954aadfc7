// An address the dashboard does not know.
import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'wouter';

export function NotFoundPage() {
  return (
    <Stack>
      <Title order={2}>Not found</Title>
      <Text>There is no page here. <Anchor component={Link} href="/">Go home</Anchor>.</Text>
    </Stack>
  );
}
