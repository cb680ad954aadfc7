// Admin (administrators only): resources from the policy, the policy and its versions, everyone's open grants, users and groups, API tokens.
import { Alert, Stack, Tabs, Title } from '@mantine/core';
import { GrantsPanel } from '../admin/grants-panel.tsx';
import { PeoplePanel } from '../admin/people-panel.tsx';
import { PolicyPanel } from '../admin/policy-panel.tsx';
import { ResourcesPanel } from '../admin/resources-panel.tsx';
import { TokensPanel } from '../admin/tokens-panel.tsx';
import { useSession } from '../auth/session-context.tsx';

export function AdminPage() {
  const session = useSession();
  if (!session.hasRole('admin')) {
    return (
      <Stack>
        <Title order={2}>Admin</Title>
        <Alert color="orange" role="alert" title="Administrators only">This page needs the admin role. Ask an administrator if you need to change the policy, users or tokens.</Alert>
      </Stack>
    );
  }
  return (
    <Stack>
      <Title order={2}>Admin</Title>
      <Tabs defaultValue="resources" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="resources">Resources</Tabs.Tab>
          <Tabs.Tab value="policy">Policy</Tabs.Tab>
          <Tabs.Tab value="grants">Grants</Tabs.Tab>
          <Tabs.Tab value="people">Users and groups</Tabs.Tab>
          <Tabs.Tab value="tokens">API tokens</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="resources" pt="md"><ResourcesPanel /></Tabs.Panel>
        <Tabs.Panel value="policy" pt="md"><PolicyPanel /></Tabs.Panel>
        <Tabs.Panel value="grants" pt="md"><GrantsPanel /></Tabs.Panel>
        <Tabs.Panel value="people" pt="md"><PeoplePanel /></Tabs.Panel>
        <Tabs.Panel value="tokens" pt="md"><TokensPanel /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
