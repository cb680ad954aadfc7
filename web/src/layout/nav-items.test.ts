// The navigation shows each role its pages.
import { expect, test } from 'vitest';
import { visibleNavItems } from './nav-items.ts';

test('a user sees the requester and approver pages; auditors and admins see theirs too', () => {
  const labels = (roles: string[]) => visibleNavItems(roles).map((item) => item.label);
  expect(labels(['user'])).toEqual(['Home', 'Request access', 'Reviews', 'Grants']);
  expect(labels(['auditor'])).toContain('Audit log');
  expect(labels(['auditor'])).not.toContain('Admin');
  expect(labels(['admin'])).toContain('Admin');
});
