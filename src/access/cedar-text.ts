// Writing Cedar source safely: string literals, entity references and sets, for the policy compiler.

export const CEDAR_NAMESPACE = 'Writ';

export type CedarEntityType = 'User' | 'Group' | 'Resource' | 'Level' | 'Request' | 'Action';

/** The JSON form of an entity uid, as cedar-wasm takes it. */
export interface CedarUid {
  readonly type: string;
  readonly id: string;
}

/**
 * A Cedar string literal; `"` and `\` are escaped and control characters written as `\u{…}`.
 * @example cedarString('a"b') // '"a\\"b"'
 */
export function cedarString(value: string): string {
  const escaped = value.replace(/[\\"]/g, (character) => `\\${character}`);
  // eslint-disable-next-line no-control-regex
  return `"${escaped.replace(/[\u0000-\u001f\u007f]/g, (character) => `\\u{${character.charCodeAt(0).toString(16)}}`)}"`;
}

/**
 * The uid of an entity of Writ's namespace.
 * @example cedarUid('User', 'alice') // { type: 'Writ::User', id: 'alice' }
 */
export function cedarUid(type: CedarEntityType, id: string): CedarUid {
  return { type: `${CEDAR_NAMESPACE}::${type}`, id };
}

/**
 * An entity reference in Cedar source.
 * @example cedarEntity('Group', 'engineers') // 'Writ::Group::"engineers"'
 */
export function cedarEntity(type: CedarEntityType, id: string): string {
  return `${CEDAR_NAMESPACE}::${type}::${cedarString(id)}`;
}

/**
 * A set literal of entity references.
 * @example cedarEntitySet('Level', ['read-only']) // '[Writ::Level::"read-only"]'
 */
export function cedarEntitySet(type: CedarEntityType, ids: readonly string[]): string {
  return `[${ids.map((id) => cedarEntity(type, id)).join(', ')}]`;
}

export interface CedarPolicySpec {
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  readonly action: string | readonly string[];
  readonly principalType: CedarEntityType;
  readonly resourceType: CedarEntityType;
  readonly when: readonly string[];
  readonly unless?: readonly string[];
}

/**
 * One Cedar policy with its `@id` annotation, one `when`/`unless` clause per condition.
 * @example cedarPolicyText({ id: 'p/request', effect: 'permit', action: 'request', principalType: 'User', resourceType: 'Resource', when: ['context.hasReason'] })
 */
export function cedarPolicyText(spec: CedarPolicySpec): string {
  const action =
    typeof spec.action === 'string' ? `action == ${cedarEntity('Action', spec.action)}` : `action in ${cedarEntitySet('Action', spec.action)}`;
  const clauses = [...spec.when.map((condition) => `when { ${condition} }`), ...(spec.unless ?? []).map((condition) => `unless { ${condition} }`)];
  return [
    `@id(${cedarString(spec.id)})`,
    `${spec.effect} (`,
    `  principal is ${CEDAR_NAMESPACE}::${spec.principalType},`,
    `  ${action},`,
    `  resource is ${CEDAR_NAMESPACE}::${spec.resourceType}`,
    `)`,
    ...clauses,
  ].join('\n') + ';';
}
