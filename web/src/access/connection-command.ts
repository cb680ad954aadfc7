// The command that connects to a granted resource; it prints a one-time password itself, so no secret is ever copied here.

const SLUG = /^[a-z0-9][a-z0-9._-]*$/;

/** @example connectionCommand({ resourceId: 'pg-dev', level: 'read-only' }) // "npx writ connect pg-dev --level read-only" */
export function connectionCommand(grant: { readonly resourceId: string; readonly level: string }): string {
  const quoted = (text: string): string => (SLUG.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`);
  return `npx writ connect ${quoted(grant.resourceId)} --level ${quoted(grant.level)}`;
}
