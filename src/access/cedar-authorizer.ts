// The one place that calls Cedar: validates a compiled set against the schema, preparses it once, answers requests.
import {
  preparsePolicySet,
  statefulIsAuthorized,
  validate,
  type AuthorizationAnswer,
  type CedarValueJson,
  type DetailedError,
  type EntityJson,
} from '@cedar-policy/cedar-wasm/nodejs';
import { AppError } from '../shared/app-error.ts';
import type { CompiledPolicySet } from './cedar-compile.ts';
import { cedarSchemaText } from './cedar-schema.ts';
import { cedarUid, type CedarUid } from './cedar-text.ts';

export interface CedarQuery {
  readonly principal: CedarUid;
  readonly action: string;
  readonly resource: CedarUid;
  readonly context: Readonly<Record<string, CedarValueJson>>;
  readonly entities: readonly EntityJson[];
}

export interface CedarAnswer {
  readonly decision: 'allow' | 'deny';
  /** Ids of the policies that decided: the satisfied permits on allow, the satisfied forbids (if any) on deny. */
  readonly policyIds: readonly string[];
}

export interface CedarAuthorizer {
  authorize(query: CedarQuery): CedarAnswer;
}

function describeErrors(errors: readonly DetailedError[]): string {
  return errors.map((error) => error.message).join('; ').slice(0, 1000);
}

/** A compiled set that does not validate is a bug in the compiler, never the author's fault: fail loudly. */
function validateCompiled(compiled: CompiledPolicySet): void {
  const answer = validate({ schema: cedarSchemaText, policies: { staticPolicies: { ...compiled.policies } }, validationSettings: { mode: 'strict' } });
  if (answer.type === 'failure') throw new AppError('internal', `the compiled Cedar policies do not parse: ${describeErrors(answer.errors)}`);
  if (answer.validationErrors.length > 0) {
    const problems = answer.validationErrors.map((error) => `${error.policyId}: ${error.error.message}`).join('; ');
    throw new AppError('internal', `the compiled Cedar policies do not validate: ${problems.slice(0, 1000)}`);
  }
}

/**
 * Validates `compiled` and preparses one set per action under `setId/<action>` (`setId` names a policy
 * version: the same id always holds the same policies). Evaluation errors fail closed: they throw AppError('internal') rather than skip a forbid.
 * @example createCedarAuthorizer(`writ-${digest}`, compilePolicyDocument(document)).authorize(query).decision // 'allow'
 */
export function createCedarAuthorizer(setId: string, compiled: CompiledPolicySet): CedarAuthorizer {
  validateCompiled(compiled);
  for (const [action, ids] of compiled.policyIdsByAction) {
    const policies = Object.fromEntries(ids.map((id) => [id, compiled.policies[id] ?? '']));
    const parsed = preparsePolicySet(`${setId}/${action}`, { staticPolicies: policies });
    if (parsed.type === 'failure') throw new AppError('internal', `Cedar refused the compiled policies: ${describeErrors(parsed.errors)}`);
  }
  return {
    authorize(query: CedarQuery): CedarAnswer {
      // No policy for the action (e.g. no break-glass anywhere): nothing permits it.
      if (!compiled.policyIdsByAction.has(query.action)) return { decision: 'deny', policyIds: [] };
      const answer: AuthorizationAnswer = statefulIsAuthorized({
        principal: query.principal,
        action: cedarUid('Action', query.action),
        resource: query.resource,
        context: { ...query.context },
        preparsedPolicySetId: `${setId}/${query.action}`,
        entities: [...query.entities],
      });
      if (answer.type === 'failure') throw new AppError('internal', `Cedar could not evaluate a ${query.action} decision: ${describeErrors(answer.errors)}`);
      const { decision, diagnostics } = answer.response;
      if (diagnostics.errors.length > 0) {
        const problems = diagnostics.errors.map((error) => `${error.policyId}: ${error.error.message}`).join('; ');
        throw new AppError('internal', `Cedar policies failed while evaluating a ${query.action} decision: ${problems.slice(0, 1000)}`);
      }
      return { decision, policyIds: diagnostics.reason };
    },
  };
}
