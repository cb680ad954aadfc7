// The one error type of Writ: a code from a closed table, a product-worded message, optional details.

export const appErrorCodes = {
  invalid_input: 'invalid_input',
  invalid_event: 'invalid_event',
  event_too_large: 'event_too_large',
  not_found: 'not_found',
  /** It existed and was removed on purpose (retention): say so, rather than "not found". */
  gone: 'gone',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  conflict: 'conflict',
  payload_too_large: 'payload_too_large',
  rate_limited: 'rate_limited',
  config_invalid: 'config_invalid',
  key_mismatch: 'key_mismatch',
  ledger_inconsistent: 'ledger_inconsistent',
  unavailable: 'unavailable',
  internal: 'internal',
} as const;

export type AppErrorCode = keyof typeof appErrorCodes;

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: AppErrorCode, message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options?.details;
  }
}

/** True when `error` is an AppError, optionally with the given code. */
export function isAppError(error: unknown, code?: AppErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
