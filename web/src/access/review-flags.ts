// What a reviewer should notice about a request before deciding it.

export interface ReviewFlag {
  readonly label: string;
  readonly color: 'red' | 'orange' | 'yellow' | 'blue';
  readonly hint: string;
}

export interface FlaggedRequest {
  readonly breakGlass: boolean;
  readonly createdAt: string;
  readonly kind: 'access' | 'extension';
  readonly firstForResource?: boolean | undefined;
}

/** Monday to Friday, 08:00 to 19:00 in the reviewer's own time zone. */
export function isOutsideWorkingHours(at: Date): boolean {
  const day = at.getDay();
  const hour = at.getHours();
  return day === 0 || day === 6 || hour < 8 || hour >= 19;
}

/** @example reviewFlags({ breakGlass: true, createdAt, kind: 'access' }) // [{ label: 'break-glass', ... }] */
export function reviewFlags(request: FlaggedRequest): ReviewFlag[] {
  const flags: ReviewFlag[] = [];
  if (request.breakGlass) flags.push({ label: 'break-glass', color: 'red', hint: 'Emergency access: granted at once, reviewed afterwards.' });
  const created = new Date(request.createdAt);
  if (!Number.isNaN(created.getTime()) && isOutsideWorkingHours(created)) {
    flags.push({ label: 'outside working hours', color: 'orange', hint: 'Asked on a weekend or outside 08:00–19:00 in your time zone.' });
  }
  if (request.firstForResource === true) flags.push({ label: 'first request for this resource', color: 'yellow', hint: 'The requester has never held access to this resource.' });
  if (request.kind === 'extension') flags.push({ label: 'extension', color: 'blue', hint: 'Asks to move the end of an existing grant.' });
  return flags;
}
