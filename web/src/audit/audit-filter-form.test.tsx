// The filter form: what is typed becomes the filters applied; a bad field is named and nothing is applied.
import { MantineProvider } from '@mantine/core';
import { fireEvent, render, screen } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import { AuditFilterForm } from './audit-filter-form.tsx';
import type { AuditFilters } from './audit-filters.ts';
import { ProofResult } from './proof-result.tsx';

function renderForm(initial: AuditFilters = {}) {
  const onApply = vi.fn<(filters: AuditFilters) => void>();
  render(<MantineProvider><AuditFilterForm initial={initial} onApply={onApply} /></MantineProvider>);
  return onApply;
}

test('typed filters are applied as given; outcome from the select', () => {
  const onApply = renderForm({ actor: 'alice' });
  fireEvent.change(screen.getByLabelText('Event type'), { target: { value: 'gateway.*' } });
  fireEvent.change(screen.getByLabelText('Target'), { target: { value: 'session:s1' } });
  fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'denied' } });
  fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
  expect(onApply).toHaveBeenCalledWith({ actor: 'alice', type: 'gateway.*', target: 'session:s1', outcome: 'denied' });
});

test('a target without "kind:" is named and nothing is applied; Clear applies no filters', () => {
  const onApply = renderForm();
  fireEvent.change(screen.getByLabelText('Target'), { target: { value: 'pg-prod' } });
  fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
  expect(onApply).not.toHaveBeenCalled();
  expect(screen.getByText(/kind:id, such as resource:pg-prod/)).toBeTruthy();
  fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
  expect(onApply).toHaveBeenCalledWith({});
});

test('a failed proof shows the step that failed and the steps not reached', () => {
  render(<MantineProvider><ProofResult result={{ tileChecked: true, outcome: { kind: 'failed', step: 'checkpoint', reason: "root differs from the checkpoint's: the note says size 5" } }} /></MantineProvider>);
  expect(screen.getByText("failed: root differs from the checkpoint's")).toBeTruthy();
  expect(screen.getByText(/inclusion proof reaches the root \(not reached\)/)).toBeTruthy();
  expect(screen.queryByText('verified')).toBeNull();
});
