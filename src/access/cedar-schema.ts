// The Cedar schema of Writ's decisions: entity types, actions and their contexts. Compiled policies are validated against it.

/** Context of the actions about a request for access (`request`, `request-check`, `auto-approve`, `break-glass`). */
export interface AccessContext {
  readonly level: { readonly __entity: { readonly type: string; readonly id: string } };
  readonly durationSeconds: number;
  readonly hasReason: boolean;
  /** Names of the policies whose ticket pattern the request's ticket matches. */
  readonly ticketOk: readonly string[];
  /** Ids of the auto-approval rules whose working hours hold now. */
  readonly inWorkingHours: readonly string[];
}

/** Context of `review`: the approval stage being decided. */
export interface ReviewContext {
  readonly stage: string;
}

/** The schema, in Cedar's schema syntax. */
export const cedarSchemaText = `
namespace Writ {
  entity Group;
  entity User in [Group];
  entity Level;
  entity Resource { kind: String, levels: Set<Level> } tags String;
  entity Request { requester: User, policy: String, resource: Resource, level: Level };
  type AccessContext = {
    level: Level,
    durationSeconds: Long,
    hasReason: Bool,
    ticketOk: Set<String>,
    inWorkingHours: Set<String>,
  };
  action "request", "request-check", "auto-approve", "break-glass" appliesTo {
    principal: User,
    resource: Resource,
    context: AccessContext,
  };
  action "review" appliesTo {
    principal: User,
    resource: Request,
    context: { stage: String },
  };
}
`;
