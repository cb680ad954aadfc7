// Applying a policy version: validate, compile, store the version and its ledger event together, then put it in force.
import { AppError } from '../shared/app-error.ts';
import { accessEvent } from './access-audit.ts';
import { recordEvents, type AccessDeps } from './access-deps.ts';
import { emptyPolicy, type AccessActor, type AccessPolicy } from './access-policy.ts';
import type { AccessStore, PolicyVersion } from './access-store.ts';
import { createAppliedPolicy } from './applied-policy.ts';
import { diffPolicies } from './policy-diff.ts';
import { createPolicyEngine, type PolicyEngine } from './policy-engine.ts';
import { parsePolicyFile } from './policy-file.ts';
import type { PolicyProblem } from './policy-problems.ts';

/** The policy in force in this process; another process may apply a newer version, which `refresh` picks up. */
export interface PolicyHolder {
  current(): AccessPolicy;
  /** The engine of the version in force, undefined before any was applied. */
  engine(): PolicyEngine | undefined;
  /** The stored version in force (0 before any). */
  version(): number;
  /** Puts `version` in force; `engine` when the caller has already compiled it. */
  use(version: PolicyVersion, engine?: PolicyEngine): void;
  /** Loads the newest stored version if it is newer than the one in force. */
  refresh(store: AccessStore): Promise<void>;
}

/** @example const holder = createPolicyHolder(); await holder.refresh(store); holder.current().decideRequest(ask) */
export function createPolicyHolder(): PolicyHolder {
  let policy = emptyPolicy;
  let engine: PolicyEngine | undefined;
  const holder: PolicyHolder = {
    current: () => policy,
    engine: () => engine,
    version: () => policy.version,
    use(version, compiled) {
      engine = compiled ?? createPolicyEngine(parsePolicyFile(version.text, { fileName: `policy version ${version.version}` }).document);
      policy = createAppliedPolicy(engine, version.version);
    },
    async refresh(store) {
      const latest = await store.latestPolicy();
      if (latest !== undefined && latest.version !== policy.version) holder.use(latest);
    },
  };
  return holder;
}

export interface ApplyResult {
  readonly changed: boolean;
  readonly version: number;
  readonly digest: string;
  readonly diff: string;
  readonly warnings: readonly PolicyProblem[];
}

/**
 * Validates `text` (errors name file, line and field) and, when its content differs from the version in force,
 * stores it as a new version with an `access.policy.applied` event carrying both digests and a readable diff.
 * Only admins apply policy; `system` applies the configured file at start.
 * @example await applyPolicy(deps, holder, admin, { text, source: 'api', fileName: 'writ.policy.yaml' })
 */
export async function applyPolicy(
  deps: AccessDeps,
  holder: PolicyHolder,
  actor: AccessActor | 'system',
  input: { readonly text: string; readonly source: 'file' | 'api'; readonly fileName: string },
): Promise<ApplyResult> {
  if (actor !== 'system' && !actor.roles.includes('admin')) throw new AppError('forbidden', 'applying a policy needs the admin role');
  const parsed = parsePolicyFile(input.text, { fileName: input.fileName });
  const engine = createPolicyEngine(parsed.document);
  const result = await deps.store.transact(async (tx): Promise<ApplyResult & { stored?: PolicyVersion }> => {
    const latest = await tx.latestPolicy();
    if (latest?.digest === engine.digest) return { changed: false, version: latest.version, digest: latest.digest, diff: '', warnings: parsed.warnings };
    const version = (latest?.version ?? 0) + 1;
    const diff = diffPolicies(latest?.text ?? '', input.text, { oldName: latest === undefined ? 'no policy' : `version ${latest.version}`, newName: `version ${version}` });
    const stored: PolicyVersion = { version, digest: engine.digest, source: input.source, text: input.text, appliedBy: actor === 'system' ? 'system' : actor.userId, appliedAtMs: deps.clock.nowMs() };
    await tx.insertPolicy(stored);
    const data = { version, previousDigest: latest?.digest ?? null, digest: engine.digest, source: input.source, diff: diff.text.slice(0, 32_768) };
    await recordEvents(deps, tx, [accessEvent({ type: 'access.policy.applied', actor, data })]);
    return { changed: true, version, digest: engine.digest, diff: diff.text, warnings: parsed.warnings, stored };
  });
  if (result.stored !== undefined) holder.use(result.stored, engine);
  return { changed: result.changed, version: result.version, digest: result.digest, diff: result.diff, warnings: result.warnings };
}
