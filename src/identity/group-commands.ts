// Group management: create, delete, add and remove members, list; and the group names of a user for the access engine.
import { AppError } from '../shared/app-error.ts';
import { assertMayAct, requireAdmin } from './authority.ts';
import { actorOf, loadUser, readPage, target, type IdentityContext, type Page, type PageRequest } from './identity-context.ts';
import type { IdentityReader, PageQuery } from './identity-store.ts';
import { parseGroupDescription, parseGroupName, type Group, type GroupId } from './group.ts';
import { canSeeDirectory, type Principal } from './principal.ts';
import type { User, UserId } from './user.ts';

export interface CreateGroupInput {
  readonly name: string;
  readonly description?: string | undefined;
}

async function loadGroup(reader: IdentityReader, name: string): Promise<Group> {
  const groupName = parseGroupName(name);
  const group = await reader.findGroupByName(groupName);
  if (group === undefined) throw new AppError('not_found', `group "${groupName}" does not exist`);
  return group;
}

async function createGroup(ctx: IdentityContext, actor: Principal, input: CreateGroupInput): Promise<Group> {
  requireAdmin(actor, 'create groups');
  const name = parseGroupName(input.name);
  const group: Group = { id: ctx.ids.next() as GroupId, name, description: parseGroupDescription(input.description ?? ''), createdAtMs: ctx.clock.nowMs() };
  await ctx.store.transact(async (tx) => {
    if ((await tx.findGroupByName(name)) !== undefined) throw new AppError('conflict', `a group named "${name}" already exists`);
    await tx.insertGroup(group);
    const data = { groupId: group.id, groupName: name, description: group.description };
    await ctx.record(tx, [{ type: 'identity.group.created', actor: actorOf(actor), targets: [target('group', group.id)], outcome: 'success', data }]);
  });
  return group;
}

async function deleteGroup(ctx: IdentityContext, actor: Principal, name: string): Promise<void> {
  requireAdmin(actor, 'delete groups');
  await ctx.store.transact(async (tx) => {
    const group = await loadGroup(tx, name);
    const memberCount = await tx.countGroupMembers(group.id);
    await tx.deleteGroup(group.id);
    const data = { groupId: group.id, groupName: group.name, memberCount };
    await ctx.record(tx, [{ type: 'identity.group.deleted', actor: actorOf(actor), targets: [target('group', group.id)], outcome: 'success', data }]);
  });
}

async function changeMembership(ctx: IdentityContext, actor: Principal, name: string, userId: UserId, add: boolean): Promise<boolean> {
  requireAdmin(actor, 'change group members');
  return ctx.store.transact(async (tx) => {
    const group = await loadGroup(tx, name);
    await loadUser(tx, userId);
    const changed = add ? await tx.addGroupMember(group.id, userId, ctx.clock.nowMs()) : await tx.removeGroupMember(group.id, userId);
    if (!changed) return false;
    const type = add ? 'identity.group.member_added' : 'identity.group.member_removed';
    const data = { groupId: group.id, groupName: group.name, userId };
    await ctx.record(tx, [{ type, actor: actorOf(actor), targets: [target('group', group.id), target('user', userId)], outcome: 'success', data }]);
    return true;
  });
}

/** One page of the actor's own groups, in name order like the store's listing. */
async function ownGroups(reader: IdentityReader, actor: Principal, query: PageQuery): Promise<Group[]> {
  const names = [...actor.groups].sort().filter((name) => query.after === undefined || name > query.after).slice(0, query.limit);
  const groups = await Promise.all(names.map((name) => reader.findGroupByName(name)));
  return groups.filter((group) => group !== undefined);
}

/** The group commands, bound to the context. */
export function groupCommands(ctx: IdentityContext) {
  return {
    createGroup: (actor: Principal, input: CreateGroupInput) => createGroup(ctx, actor, input),
    deleteGroup: (actor: Principal, name: string) => deleteGroup(ctx, actor, name),
    /** False when the user already was a member (nothing recorded). */
    addGroupMember: (actor: Principal, name: string, userId: UserId) => changeMembership(ctx, actor, name, userId, true),
    /** False when the user was not a member (nothing recorded). */
    removeGroupMember: (actor: Principal, name: string, userId: UserId) => changeMembership(ctx, actor, name, userId, false),
    /** Administrators and auditors see every group; anyone else the groups they belong to (least privilege, ADR 0013). */
    async listGroups(actor: Principal, page: PageRequest = {}): Promise<Page<Group>> {
      assertMayAct(actor);
      if (canSeeDirectory(actor)) return readPage(ctx.settings.maxPageSize, page, (query) => ctx.store.listGroups(query), (group) => group.name);
      return readPage(ctx.settings.maxPageSize, page, (query) => ownGroups(ctx.store, actor, query), (group) => group.name);
    },
    /** Members of any group for administrators and auditors; of one's own groups for anyone else (others are "not found"). */
    async listGroupMembers(actor: Principal, name: string, page: PageRequest = {}): Promise<Page<User>> {
      assertMayAct(actor);
      const group = await loadGroup(ctx.store, name);
      // Reported like a missing group, so names of groups one is not in cannot be probed.
      if (!canSeeDirectory(actor) && !actor.groups.includes(group.name)) throw new AppError('not_found', `group "${group.name}" does not exist`);
      return readPage(ctx.settings.maxPageSize, page, (query) => ctx.store.listGroupMembers(group.id, query), (user) => user.username);
    },
    /** The names of the user's groups, for the access engine (no actor: it is not a user-facing read). */
    groupsOf: (userId: UserId): Promise<string[]> => ctx.store.groupNamesOf(userId),
  };
}
