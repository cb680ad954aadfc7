// Audit log: filtered search with the server's cursor pages, a live tail, an event's proof checked in this browser, evidence export.
import { Anchor, Badge, Box, Button, Checkbox, Drawer, Group, Paper, Stack, Switch, Text, Title, UnstyledButton } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { formatWhen } from '../access/time-format.ts';
import { AuditFilterForm } from '../audit/audit-filter-form.tsx';
import { evidenceBundleUrl, filtersFromSearch, searchOfFilters } from '../audit/audit-filters.ts';
import { eventsOf, useEvents, useLogKeys, type LoggedEvent } from '../audit/audit-queries.ts';
import { EventDetail } from '../audit/event-detail.tsx';
import { describeEvent, OUTCOME_COLOR } from '../audit/event-summary.ts';
import { useKeyChoice } from '../audit/pinned-log-key.ts';
import { VerifierKeyPanel } from '../audit/verifier-key-panel.tsx';
import { Empty, LoadError, LoadMore, Loading } from '../components/page-states.tsx';

function EventRow({ logged, onOpen }: { readonly logged: LoggedEvent; readonly onOpen: () => void }) {
  const s = describeEvent(logged.event);
  return (
    <UnstyledButton onClick={onOpen} aria-label={`Details of ${s.type} by ${s.actor} at ${s.time}`} data-testid="event-row" style={{ display: 'block', width: '100%' }}>
      <Paper withBorder p="xs">
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap="xs" wrap="wrap">
            <Text size="sm" fw={600}>{s.type}</Text>
            <Badge size="sm" variant="light" color={OUTCOME_COLOR[s.outcome]}>{s.outcome}</Badge>
          </Group>
          <Text size="xs" c="dimmed">#{logged.index} · {formatWhen(s.time)}</Text>
        </Group>
        <Text size="sm" style={{ wordBreak: 'break-word' }}>{s.actor}{s.targets === '' ? '' : ` → ${s.targets}`}</Text>
        {s.detail === '' ? null : <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: 'break-word' }}>{s.detail}</Text>}
      </Paper>
    </UnstyledButton>
  );
}

export function AuditPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const eventId = new URLSearchParams(search).get('event') ?? undefined;
  const [live, setLive] = useState(false);
  const [redact, setRedact] = useState(false);
  const [filtersShown, setFiltersShown] = useState(false);
  const phone = useMediaQuery('(max-width: 48em)');
  const events = useEvents(filters, { live });
  const keys = useLogKeys();
  const choice = useKeyChoice(keys.data?.verifierKey);
  const items = eventsOf(events.data);
  const open = (id: string | undefined): void => {
    navigate(`/audit?${searchOfFilters(filters, { event: id })}`);
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Audit log</Title>
        <Button hiddenFrom="sm" size="xs" variant="light" aria-expanded={filtersShown} onClick={() => { setFiltersShown((shown) => !shown); }}>
          {filtersShown ? 'Hide filters' : `Filters${Object.keys(filters).length === 0 ? '' : ` (${Object.keys(filters).length})`}`}
        </Button>
      </Group>
      {/* On a phone the form folds away behind a button; the list comes first. */}
      <Box {...(filtersShown ? {} : { visibleFrom: 'sm' })}>
        <AuditFilterForm key={searchOfFilters(filters)} initial={filters} onApply={(f) => { setFiltersShown(false); navigate(`/audit?${searchOfFilters(f)}`); }} />
      </Box>
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Switch label="Live tail (new entries as they are logged)" checked={live} onChange={(e) => { setLive(e.currentTarget.checked); }} />
        <Group gap="xs" wrap="wrap">
          <Checkbox label="Leave personal values out" checked={redact} onChange={(e) => { setRedact(e.currentTarget.checked); }} />
          <Anchor href={evidenceBundleUrl(filters, redact)} download data-testid="evidence-link">Export these filters as an evidence bundle</Anchor>
        </Group>
      </Group>
      {events.isPending ? <Loading label="Searching the log…" /> : events.isError ? <LoadError error={events.error} retry={() => void events.refetch()} /> : items.length === 0 ? (
        <Empty>{Object.keys(filters).length === 0 ? 'The log has no events yet.' : 'No events match these filters.'}</Empty>
      ) : (
        <Stack gap="xs" aria-label="Events" role="list">
          {items.map((logged) => (
            <div role="listitem" key={logged.event.id}>
              <EventRow logged={logged} onOpen={() => { open(logged.event.id); }} />
            </div>
          ))}
          <LoadMore hasMore={events.hasNextPage} loading={events.isFetchingNextPage} onLoad={() => void events.fetchNextPage()} />
        </Stack>
      )}
      <Drawer opened={eventId !== undefined} onClose={() => { open(undefined); }} position="right" size={phone ? '100%' : 'xl'} title="Event and its proof" closeButtonProps={{ 'aria-label': 'Close the event' }}>
        {eventId === undefined ? null : (
          <Stack>
            <VerifierKeyPanel choice={choice} served={keys.data?.verifierKey} />
            {keys.isError && choice.text === undefined ? <LoadError error={keys.error} retry={() => void keys.refetch()} /> : null}
            <EventDetail id={eventId} keyText={choice.text} keys={keys.data} />
          </Stack>
        )}
      </Drawer>
    </Stack>
  );
}
