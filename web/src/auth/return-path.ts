// Where to go back after signing in: only a path of this site, never another origin ("//host", "https://...").
export function safeReturnPath(next: string | null | undefined): string {
  if (next === null || next === undefined || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next.startsWith('/sign-in') ? '/' : next;
}

/** The sign-in page's address that comes back to `from`. */
export function signInPathFor(from: string, expired: boolean): string {
  const search = new URLSearchParams();
  if (from !== '/' && !from.startsWith('/sign-in')) search.set('next', from);
  if (expired) search.set('expired', '1');
  const text = search.toString();
  return text === '' ? '/sign-in' : `/sign-in?${text}`;
}
