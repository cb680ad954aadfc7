// Reads a policy file: YAML → zod → cross-checks, reporting every problem with file:line:column and field path.
import { LineCounter, parseDocument, type Document } from 'yaml';
import { crossCheckPolicyDocument } from './policy-cross-check.ts';
import {
  formatProblemPath,
  invalidPolicyFile,
  policyParseParams,
  problemsFromIssues,
  type PolicyProblem,
  type RawProblem,
} from './policy-problems.ts';
import { policyDocumentSchema, type PolicyDocument } from './policy-schema.ts';
import { locateYamlPath } from './policy-yaml-locate.ts';

/** Larger than any sensible policy file; refusing early bounds parse time and memory. */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;

export interface ParsedPolicyFile {
  readonly document: PolicyDocument;
  /** Likely mistakes that do not stop the file from applying (e.g. a label selector matching nothing yet). */
  readonly warnings: readonly PolicyProblem[];
}

/**
 * Parses and validates a policy file. Throws AppError('invalid_input') listing every problem found
 * (`details.problems`: `{ file, line, column, path, message }`); schema problems come first, and
 * cross-reference problems are checked once the shape is right.
 * @example parsePolicyFile(text, { fileName: 'writ.policy.yaml' }).document.policies[0]?.name // 'prod-databases'
 */
export function parsePolicyFile(source: string, options: { fileName?: string } = {}): ParsedPolicyFile {
  const file = options.fileName ?? 'writ.policy.yaml';
  if (Buffer.byteLength(source, 'utf8') > MAX_POLICY_FILE_BYTES) {
    throw invalidPolicyFile(file, [{ file, line: 1, column: 1, path: '(document)', message: `the file is larger than ${MAX_POLICY_FILE_BYTES} bytes` }]);
  }
  const lineCounter = new LineCounter();
  const yamlDocument = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (yamlDocument.errors.length > 0) {
    throw invalidPolicyFile(
      file,
      yamlDocument.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return { file, line: position.line, column: position.col, path: '(yaml)', message: firstLine(error.message) };
      }),
    );
  }
  const locate = (problems: readonly RawProblem[]): PolicyProblem[] =>
    problems.map((problem) => located(file, yamlDocument, lineCounter, problem)).sort((left, right) => left.line - right.line || left.column - right.column);
  const data = toPlainData(yamlDocument);
  if (!data.ok) throw invalidPolicyFile(file, locate([{ path: [], message: data.message }]));
  const parsed = policyDocumentSchema.safeParse(data.value, policyParseParams);
  if (!parsed.success) throw invalidPolicyFile(file, locate(problemsFromIssues(parsed.error.issues)));
  const checked = crossCheckPolicyDocument(parsed.data);
  if (checked.errors.length > 0) throw invalidPolicyFile(file, locate(checked.errors));
  return { document: parsed.data, warnings: locate(checked.warnings) };
}

function toPlainData(document: Document): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: document.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    return { ok: false, message: `the YAML cannot be read: ${firstLine(error instanceof Error ? error.message : String(error))}` };
  }
}

function located(file: string, document: Document, lineCounter: LineCounter, problem: RawProblem): PolicyProblem {
  const position = locateYamlPath(document, lineCounter, problem.path, problem.at);
  return { file, line: position.line, column: position.column, path: formatProblemPath(problem.path), message: problem.message };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).slice(0, 300);
}
