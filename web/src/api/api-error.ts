// An API failure as the dashboard sees it: the HTTP status and the problem+json detail the server wrote for people.
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, detail: string) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}

/** What to show a person for any failure: the server's own words when it gave some. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'Writ cannot be reached: check your connection and try again.';
  return error instanceof Error ? error.message : 'something went wrong';
}
