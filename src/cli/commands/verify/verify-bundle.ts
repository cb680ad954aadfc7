// Placeholder until this mode lands: fails with a clear message.
import { AppError } from '../../../shared/app-error.ts';
import type { VerifyOptions } from '../verify.ts';

export function verifyBundleCommand(file: string, options: VerifyOptions): Promise<void> {
  if (options.json === true) process.stderr.write('');
  return Promise.reject(new AppError('invalid_input', `this mode of writ verify is not available yet (${file})`));
}
