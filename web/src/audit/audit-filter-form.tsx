// The audit log's filter form: time range, actor, type, target, outcome, request and grant; checked before it is applied.
import { Button, Group, NativeSelect, SimpleGrid, TextInput } from '@mantine/core';
import { useState } from 'react';
import { filterProblems, isoOfLocalInput, localInputOfIso, type AuditFilterKey, type AuditFilters } from './audit-filters.ts';

const TEXT_FIELDS: readonly { key: AuditFilterKey; label: string; placeholder: string }[] = [
  { key: 'actor', label: 'Actor', placeholder: 'user id, e.g. alice' },
  { key: 'type', label: 'Event type', placeholder: 'access.request.created or gateway.*' },
  { key: 'target', label: 'Target', placeholder: 'resource:pg-prod' },
  { key: 'requestId', label: 'Request id', placeholder: 'request id' },
  { key: 'grantId', label: 'Grant id', placeholder: 'grant id' },
];

export function AuditFilterForm({ initial, onApply }: { readonly initial: AuditFilters; readonly onApply: (filters: AuditFilters) => void }) {
  const [draft, setDraft] = useState<AuditFilters>(initial);
  const [problems, setProblems] = useState<Partial<Record<AuditFilterKey, string>>>({});
  const set = (key: AuditFilterKey, value: string): void => {
    setDraft((d) => ({ ...d, [key]: value }));
  };
  const apply = (): void => {
    const found = filterProblems(draft);
    setProblems(found);
    if (Object.keys(found).length === 0) onApply(draft);
  };
  return (
    <form aria-label="Filters" onSubmit={(e) => { e.preventDefault(); apply(); }}>
      <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }} spacing="xs" verticalSpacing="xs">
        <TextInput type="datetime-local" label="From" value={localInputOfIso(draft.from)} error={problems.from} onChange={(e) => { set('from', isoOfLocalInput(e.currentTarget.value)); }} />
        <TextInput type="datetime-local" label="To" value={localInputOfIso(draft.to)} error={problems.to} onChange={(e) => { set('to', isoOfLocalInput(e.currentTarget.value)); }} />
        {TEXT_FIELDS.map((f) => (
          <TextInput key={f.key} label={f.label} placeholder={f.placeholder} maxLength={321} value={draft[f.key] ?? ''} error={problems[f.key]} onChange={(e) => { set(f.key, e.currentTarget.value); }} />
        ))}
        <NativeSelect label="Outcome" value={draft.outcome ?? ''} error={problems.outcome} onChange={(e) => { set('outcome', e.currentTarget.value); }} data={[{ value: '', label: 'any' }, 'success', 'failure', 'denied']} />
      </SimpleGrid>
      <Group mt="xs" gap="xs">
        <Button type="submit">Apply filters</Button>
        <Button variant="default" onClick={() => { setDraft({}); setProblems({}); onApply({}); }}>Clear</Button>
      </Group>
    </form>
  );
}
