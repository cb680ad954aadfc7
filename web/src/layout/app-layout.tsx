// The signed-in frame: header with who is signed in, navigation (a drawer on a phone), and the page.
import { AppShell, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { useSession } from '../auth/session-context.tsx';
import { useLiveUpdates } from '../live/use-live-updates.ts';
import { visibleNavItems } from './nav-items.ts';

export function AppLayout({ children }: { readonly children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const [location] = useLocation();
  const session = useSession();
  const live = useLiveUpdates();
  const roles = session.me?.user.roles ?? [];
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <Title order={1} size="h3">Writ</Title>
            <Text size="xs" c={live === 'open' ? 'teal' : 'dimmed'} aria-live="polite" visibleFrom="xs">
              {live === 'open' ? '● live' : '○ reconnecting'}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" visibleFrom="xs" data-testid="signed-in-as">{session.me?.user.displayName ?? session.me?.user.username}</Text>
            <Button size="xs" variant="default" onClick={() => void session.signOut()}>Sign out</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Pages">
        <nav>
          {visibleNavItems(roles).map((item) => (
            <NavLink
              key={item.path}
              component={Link}
              href={item.path}
              label={item.label}
              active={item.path === '/' ? location === '/' : location.startsWith(item.path)}
              aria-current={location === item.path ? 'page' : undefined}
              onClick={close}
            />
          ))}
        </nav>
      </AppShell.Navbar>
      <AppShell.Main>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
