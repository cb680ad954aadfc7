// The dashboard's pages: path, label, and who sees them in the navigation (the API still decides what each may do).
export type Role = 'admin' | 'auditor' | 'user';

export interface NavItem {
  readonly path: string;
  readonly label: string;
  /** Undefined: everyone signed in; otherwise any of these roles. */
  readonly roles?: readonly Role[];
}

export const navItems: readonly NavItem[] = [
  { path: '/', label: 'Home' },
  { path: '/request', label: 'Request access' },
  { path: '/reviews', label: 'Reviews' },
  { path: '/grants', label: 'Grants' },
  { path: '/audit', label: 'Audit log', roles: ['auditor', 'admin'] },
  { path: '/sessions', label: 'Sessions', roles: ['auditor', 'admin'] },
  { path: '/ledger', label: 'Ledger status', roles: ['auditor', 'admin'] },
  { path: '/admin', label: 'Admin', roles: ['admin'] },
];

/** The items a user with `roles` sees. */
export function visibleNavItems(roles: readonly string[]): NavItem[] {
  return navItems.filter((item) => item.roles === undefined || item.roles.some((role) => roles.includes(role)));
}
