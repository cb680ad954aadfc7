// `writ verify --bundle FILE`: checks an evidence bundle offline (no database, no network) and reports each problem.
import { readFile, stat } from 'node:fs/promises';
import { verifyEvidenceBundle, type BundleReport } from '../../../events/evidence-bundle-verifier.ts';
import { readBundleTar } from '../../../reports/evidence-bundle-tar.ts';
import { AppError, isAppError } from '../../../shared/app-error.ts';
import { writeOut } from '../../cli-context.ts';
import type { VerifyOptions } from '../verify.ts';

/** Larger files are refused before they are read (a bundle of 100,000 typical entries is about 150 MiB). */
export const MAX_BUNDLE_FILE_BYTES = 1024 * 1024 * 1024;
const MAX_POLICY_FILE_BYTES = 64 * 1024;

async function readBounded(path: string, maxBytes: number, what: string): Promise<Buffer> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new AppError('invalid_input', `${what} "${path}" is not a file`);
    size = info.size;
  } catch (error) {
    if (isAppError(error)) throw error;
    throw new AppError('not_found', `cannot read ${what} "${path}": ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if (size > maxBytes) throw new AppError('payload_too_large', `${what} "${path}" is ${size} bytes, over the ${maxBytes}-byte limit`);
  return readFile(path);
}

function textReport(file: string, report: BundleReport, seconds: number): string {
  const c = report.checkpoint;
  const p = report.personal;
  const rate = seconds > 0 ? Math.round(report.entriesChecked / seconds) : report.entriesChecked;
  const lines = [
    `bundle: ${file}`,
    `verifier key (${report.keySource === 'given' ? 'given' : 'FROM THE BUNDLE ITSELF'}): ${report.verifierKeys.join(', ') || 'none'}`,
    c === undefined ? 'checkpoint: not verified' : `checkpoint: ${c.origin}, size ${c.size}, root ${c.rootHash}`,
  ];
  if (report.policySource !== 'none') lines.push(`witness policy (${report.policySource === 'given' ? 'given' : 'from the bundle'}): cosigned by ${report.cosigners.join(', ') || 'none'}`);
  lines.push(
    `${report.entriesChecked} entries checked in ${seconds.toFixed(2)} s (${rate} entries/s): ${p.included} with personal values, ${p.erased} erased, ${p.redacted} redacted, ${p.none} without personal data${report.redacted === true ? ' (redacted bundle)' : ''}`,
  );
  for (const problem of report.problems) {
    const where = problem.index !== undefined ? ` at index ${problem.index}` : problem.file !== undefined ? ` in ${problem.file}` : '';
    lines.push(`PROBLEM${where}: ${problem.message}`);
  }
  if (report.moreProblems > 0) lines.push(`... and ${report.moreProblems} more problems`);
  if (report.ok) lines.push('OK: the bundle verifies');
  return `${lines.join('\n')}\n`;
}

/** Verifies the bundle at `file`; exit 0 only when everything holds (AppError 'ledger_inconsistent' otherwise). */
export async function verifyBundleCommand(file: string, options: VerifyOptions): Promise<void> {
  const started = performance.now();
  const bytes = await readBounded(file, MAX_BUNDLE_FILE_BYTES, 'bundle');
  const policyText = options.policy === undefined ? undefined : (await readBounded(options.policy, MAX_POLICY_FILE_BYTES, 'witness policy file')).toString('utf8');
  let report: BundleReport;
  try {
    report = verifyEvidenceBundle(readBundleTar(bytes), { verifierKeys: [...(options.vkey ?? []), ...(options.verifierKey === undefined ? [] : [options.verifierKey])], policyText });
  } catch (error) {
    if (options.json === true && isAppError(error, 'ledger_inconsistent')) await writeOut(`${JSON.stringify({ ok: false, file, problems: [{ message: error.message }] })}\n`);
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  for (const warning of report.warnings) process.stderr.write(`writ: WARNING: ${warning}\n`);
  await writeOut(options.json === true ? `${JSON.stringify({ ...report, file, seconds })}\n` : textReport(file, report, seconds));
  if (!report.ok) {
    const first = report.problems[0];
    const where = first?.index === undefined ? '' : ` at index ${first.index}`;
    const count = report.problems.length + report.moreProblems;
    throw new AppError('ledger_inconsistent', `the bundle does not verify: ${count} problem${count === 1 ? '' : 's'}, the first${where}: ${first?.message ?? 'no checkpoint could be verified'}`);
  }
}
