// Home: my active grants with time left and the command to connect, my pending requests, and how many wait for my review.
import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'wouter';
import { itemsOf, useMyGrants, useRequests } from '../access/access-queries.ts';
import { connectionCommand } from '../access/connection-command.ts';
import { formatDuration, formatWhen } from '../access/time-format.ts';
import { CopyCommand } from '../components/copy-command.tsx';
import { Empty, LoadError, LoadMore, Loading } from '../components/page-states.tsx';
import { TimeLeft } from '../components/time-left.tsx';

const REVIEW_COUNT_LIMIT = 200;

function ActiveGrants() {
  const grants = useMyGrants('open');
  const items = itemsOf(grants.data);
  return (
    <Card withBorder component="section" aria-labelledby="home-grants">
      <Title order={3} size="h4" id="home-grants" mb="sm">My active grants</Title>
      {grants.isPending ? <Loading /> : grants.isError ? <LoadError error={grants.error} retry={() => void grants.refetch()} /> : items.length === 0 ? (
        <Empty>No active grants. <Anchor component={Link} href="/request">Request access</Anchor>.</Empty>
      ) : (
        <Stack gap="sm">
          {items.map((grant) => (
            <Stack key={grant.id} gap={4} data-testid="active-grant">
              <Group justify="space-between" wrap="wrap">
                <Text fw={600} component="div">{grant.resourceId} <Badge variant="light" ml={4}>{grant.level}</Badge>{grant.breakGlass ? <Badge color="red" ml={4}>break-glass</Badge> : null}</Text>
                <TimeLeft secondsLeft={grant.secondsLeft} fetchedAtMs={grants.dataUpdatedAt} state={grant.state} />
              </Group>
              <CopyCommand command={connectionCommand(grant)} />
            </Stack>
          ))}
          <LoadMore hasMore={grants.hasNextPage} loading={grants.isFetchingNextPage} onLoad={() => void grants.fetchNextPage()} />
        </Stack>
      )}
    </Card>
  );
}

function PendingRequests() {
  const requests = useRequests('mine', 'pending');
  const items = itemsOf(requests.data);
  return (
    <Card withBorder component="section" aria-labelledby="home-pending">
      <Title order={3} size="h4" id="home-pending" mb="sm">My pending requests</Title>
      {requests.isPending ? <Loading /> : requests.isError ? <LoadError error={requests.error} retry={() => void requests.refetch()} /> : items.length === 0 ? (
        <Empty>Nothing waiting for approval.</Empty>
      ) : (
        <Stack gap="xs">
          {items.map((request) => (
            <div key={request.id} data-testid="pending-request">
              <Text fw={600} component="div">{request.resourceId} <Badge variant="light" ml={4}>{request.level}</Badge></Text>
              <Text size="sm" c="dimmed">
                {formatDuration(request.durationSeconds)}, asked {formatWhen(request.createdAt)}; waiting for {request.stages[request.currentStage ?? 0]?.name ?? 'approval'}
              </Text>
            </div>
          ))}
          <LoadMore hasMore={requests.hasNextPage} loading={requests.isFetchingNextPage} onLoad={() => void requests.fetchNextPage()} />
        </Stack>
      )}
    </Card>
  );
}

function ReviewCount() {
  const toReview = useRequests('to-review', 'pending', REVIEW_COUNT_LIMIT);
  const first = toReview.data?.pages[0];
  const count = first === undefined ? undefined : `${first.items.length}${first.nextCursor === null ? '' : '+'}`;
  return (
    <Card withBorder component="section" aria-labelledby="home-reviews">
      <Title order={3} size="h4" id="home-reviews" mb="sm">Waiting for my review</Title>
      {toReview.isPending ? <Loading /> : toReview.isError ? <LoadError error={toReview.error} retry={() => void toReview.refetch()} /> : (
        <Group align="baseline" gap="xs">
          <Text size="xl" fw={700} data-testid="review-count">{count}</Text>
          <Anchor component={Link} href="/reviews">{count === '0' ? 'nothing to decide' : 'open Reviews'}</Anchor>
        </Group>
      )}
    </Card>
  );
}

export function HomePage() {
  return (
    <Stack>
      <Title order={2}>Home</Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <ActiveGrants />
        <Stack>
          <ReviewCount />
          <PendingRequests />
        </Stack>
      </SimpleGrid>
    </Stack>
  );
}
