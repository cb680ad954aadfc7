// Reviews: requests I may decide, with what matters for the decision; approve (optionally shorter or later) or deny with a comment. Live.
import { Alert, Badge, Button, Card, Collapse, Group, NumberInput, Stack, Text, TextInput, Textarea, Title, Tooltip } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { messageOf } from '../api/api-error.ts';
import { api } from '../api/client.ts';
import { itemsOf, useRequests, type RequestView } from '../access/access-queries.ts';
import { reviewFlags } from '../access/review-flags.ts';
import { formatDuration, formatWhen } from '../access/time-format.ts';
import { Empty, LoadError, LoadMore, Loading } from '../components/page-states.tsx';

function Detail({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <Text size="sm">
      <Text span c="dimmed">{label}: </Text>
      {children}
    </Text>
  );
}

function DecisionForm({ request }: { readonly request: RequestView }) {
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const [minutes, setMinutes] = useState<number | ''>('');
  const [startAt, setStartAt] = useState('');
  const [adjust, setAdjust] = useState(false);
  const maxMinutes = Math.floor(request.durationSeconds / 60);
  const refresh = async (): Promise<void> => {
    await Promise.all([queryClient.invalidateQueries({ queryKey: ['requests'] }), queryClient.invalidateQueries({ queryKey: ['grants'] })]);
  };
  const approve = useMutation({
    mutationFn: () =>
      api('post', '/api/v1/requests/{id}/approve', {
        path: { id: request.id },
        body: {
          ...(comment.trim() === '' ? {} : { comment: comment.trim() }),
          ...(minutes === '' || minutes * 60 >= request.durationSeconds ? {} : { durationSeconds: Math.max(60, Math.round(minutes * 60)) }),
          ...(startAt === '' ? {} : { startAt: new Date(startAt).toISOString() }),
        },
      }),
    onSuccess: refresh,
  });
  const deny = useMutation({ mutationFn: () => api('post', '/api/v1/requests/{id}/deny', { path: { id: request.id }, body: { comment: comment.trim() } }), onSuccess: refresh });
  const failure = approve.error ?? deny.error;
  const busy = approve.isPending || deny.isPending;
  return (
    <Stack gap="xs">
      <Textarea label="Comment" description="Required to deny; the requester sees it" autosize minRows={1} maxLength={1024} value={comment} onChange={(e) => { setComment(e.currentTarget.value); }} />
      <Button variant="subtle" size="compact-sm" onClick={() => { setAdjust((open) => !open); }} aria-expanded={adjust} style={{ alignSelf: 'flex-start' }}>
        {adjust ? 'Hide shorter or later' : 'Approve shorter or later…'}
      </Button>
      <Collapse expanded={adjust}>
        <Group grow align="flex-start">
          <NumberInput label="Duration in minutes" description={`At most the ${formatDuration(request.durationSeconds)} asked`} min={1} max={maxMinutes} value={minutes} onChange={(v) => { setMinutes(v === '' ? '' : Number(v)); }} />
          <TextInput label="Start at" description="Empty: as asked" type="datetime-local" value={startAt} onChange={(e) => { setStartAt(e.currentTarget.value); }} />
        </Group>
      </Collapse>
      {failure === null ? null : <Alert color="red" role="alert">{messageOf(failure)}</Alert>}
      <Group>
        <Button color="teal" loading={approve.isPending} disabled={busy} onClick={() => { approve.mutate(); }} aria-label={`Approve ${request.requester.username}'s request for ${request.resourceId}`}>Approve</Button>
        <Button color="red" variant="light" loading={deny.isPending} disabled={busy || comment.trim() === ''} onClick={() => { deny.mutate(); }} aria-label={`Deny ${request.requester.username}'s request for ${request.resourceId}`}>Deny</Button>
      </Group>
    </Stack>
  );
}

function ReviewCard({ request }: { readonly request: RequestView }) {
  const stage = request.currentStage === null ? undefined : request.stages[request.currentStage];
  return (
    <Card withBorder component="article" aria-label={`Request by ${request.requester.username} for ${request.resourceId}`} data-testid="review">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <Text fw={600} component="div">{request.requester.username} asks for <Badge variant="light">{request.level}</Badge> on {request.resourceId}</Text>
          <Group gap={4}>
            {reviewFlags(request).map((flag) => (
              <Tooltip key={flag.label} label={flag.hint} withArrow>
                <Badge color={flag.color} tabIndex={0}>{flag.label}</Badge>
              </Tooltip>
            ))}
          </Group>
        </Group>
        <Detail label="For">{formatDuration(request.durationSeconds)}, starting {formatWhen(request.startAt)}</Detail>
        <Detail label="Reason">{request.reason ?? '—'}</Detail>
        {request.ticket === null ? null : <Detail label="Ticket">{request.ticket}</Detail>}
        <Detail label="Asked">{formatWhen(request.createdAt)}; expires unanswered {formatWhen(request.expiresAt)}</Detail>
        {stage === undefined ? null : <Detail label="Stage">{stage.name}: {stage.approvals} of {stage.count} approvals</Detail>}
        <DecisionForm request={request} />
      </Stack>
    </Card>
  );
}

export function ReviewsPage() {
  const reviews = useRequests('to-review', 'pending');
  const items = itemsOf(reviews.data);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Reviews</Title>
        <Text size="sm" c="dimmed">Updates live</Text>
      </Group>
      {reviews.isPending ? <Loading /> : reviews.isError ? <LoadError error={reviews.error} retry={() => void reviews.refetch()} /> : items.length === 0 ? (
        <Empty>Nothing waits for your review.</Empty>
      ) : (
        <Stack>
          {items.map((request) => <ReviewCard key={request.id} request={request} />)}
          <LoadMore hasMore={reviews.hasNextPage} loading={reviews.isFetchingNextPage} onLoad={() => void reviews.fetchNextPage()} />
        </Stack>
      )}
    </Stack>
  );
}
