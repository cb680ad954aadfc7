// The CLI's exit code for each error code (sysexits.h where one fits); the compiler checks none is forgotten.
import type { AppErrorCode } from '../shared/app-error.ts';

export const exitCodes: Readonly<Record<AppErrorCode, number>> = {
  ledger_inconsistent: 1,
  invalid_input: 64,
  invalid_event: 65,
  event_too_large: 65,
  not_found: 66,
  gone: 66,
  unauthorized: 77,
  forbidden: 77,
  conflict: 75,
  payload_too_large: 65,
  rate_limited: 75,
  config_invalid: 78,
  key_mismatch: 78,
  unavailable: 69,
  internal: 70,
};
