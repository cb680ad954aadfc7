// Resources the policy defines: id, name, kind, labels and access levels.
import { Badge, Group, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { Empty, Loading } from '../components/page-states.tsx';
import { AdminLoadError } from './admin-states.tsx';

export function ResourcesPanel() {
  const resources = useQuery({ queryKey: ['admin', 'resources'], queryFn: ({ signal }) => api('get', '/api/v1/resources', { signal }) });
  if (resources.isPending) return <Loading label="Loading resources…" />;
  if (resources.isError) return <AdminLoadError error={resources.error} retry={() => void resources.refetch()} />;
  if (resources.data.items.length === 0) return <Empty>The policy defines no resources yet (apply one under Policy).</Empty>;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped aria-label="Resources">
        <Table.Thead><Table.Tr><Table.Th>Resource</Table.Th><Table.Th>Kind</Table.Th><Table.Th>Labels</Table.Th><Table.Th>Levels</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {resources.data.items.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td><Text size="sm" fw={600}>{r.id}</Text><Text size="xs" c="dimmed">{r.name}</Text></Table.Td>
              <Table.Td>{r.kind}</Table.Td>
              <Table.Td><Group gap={4}>{Object.entries(r.labels).map(([k, v]) => <Badge key={k} variant="light" size="sm">{k}={v}</Badge>)}</Group></Table.Td>
              <Table.Td><Group gap={4}>{r.levels.map((l) => <Badge key={l} variant="outline" size="sm">{l}</Badge>)}</Group></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
