// Identity events: users and groups created, changed, disabled. Names and e-mail addresses go in `personal`, so they stay erasable.
import { z } from 'zod';
import { strictShape } from '../event-schema.ts';
import { defineEvent, fields } from './event-definition.ts';

const role = z.enum(['admin', 'auditor', 'user']);
const roleList = z.array(role).max(8);
const groupName = z.string().min(1).max(64);

export const identityEvents = [
  defineEvent(
    'identity.user.created',
    1,
    'A user was created, by an admin or at first start.',
    strictShape({
      userId: fields.id,
      kind: z.enum(['person', 'service']),
      roles: roleList,
      mustChangePassword: z.boolean(),
      source: z.enum(['admin', 'bootstrap']),
    }),
  ),
  defineEvent(
    'identity.user.updated',
    1,
    'Profile fields of a user changed; the new values are in `personal`.',
    strictShape({ userId: fields.id, changed: z.array(z.enum(['displayName', 'email'])).min(1).max(2) }),
  ),
  defineEvent('identity.user.disabled', 1, 'A user was disabled: no sign-in, no token use.', strictShape({ userId: fields.id })),
  defineEvent('identity.user.enabled', 1, 'A disabled user was enabled again.', strictShape({ userId: fields.id })),
  defineEvent(
    'identity.user.roles_changed',
    1,
    "A user's built-in roles changed.",
    strictShape({ userId: fields.id, oldRoles: roleList, newRoles: roleList }),
  ),
  defineEvent(
    'identity.group.created',
    1,
    'A group was created.',
    strictShape({ groupId: fields.id, groupName, description: z.string().max(1024) }),
  ),
  defineEvent(
    'identity.group.deleted',
    1,
    'A group was deleted with its memberships.',
    strictShape({ groupId: fields.id, groupName, memberCount: fields.count }),
  ),
  defineEvent(
    'identity.group.member_added',
    1,
    'A user was added to a group.',
    strictShape({ groupId: fields.id, groupName, userId: fields.id }),
  ),
  defineEvent(
    'identity.group.member_removed',
    1,
    'A user was removed from a group.',
    strictShape({ groupId: fields.id, groupName, userId: fields.id }),
  ),
] as const;
