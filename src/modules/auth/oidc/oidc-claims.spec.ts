import { describe, expect, it } from '@jest/globals';
import { groupsOf, mayLogIn, roleFor, usernameCandidates } from './oidc-claims.js';

describe('OIDC claims', () => {
  describe(groupsOf.name, () => {
    it('reads an array of group names, ignoring anything that is not a string', () => {
      expect(groupsOf({ groups: ['staff', 7, null, 'admins'] }, 'groups')).toEqual(['staff', 'admins']);
    });

    it('takes a single string as one group', () => {
      expect(groupsOf({ roles: 'hub-admin' }, 'roles')).toEqual(['hub-admin']);
    });

    it('gives no groups for a missing claim or another shape', () => {
      expect(groupsOf({}, 'groups')).toEqual([]);
      expect(groupsOf({ groups: { admin: true } }, 'groups')).toEqual([]);
    });
  });

  describe(roleFor.name, () => {
    it('makes a member of any admin group an admin', () => {
      expect(roleFor(['staff', 'ops'], ['ops', 'root'])).toBe('admin');
    });

    it('makes everyone else a user, also when no admin groups are configured', () => {
      expect(roleFor(['staff'], ['ops'])).toBe('user');
      expect(roleFor(['ops'], [])).toBe('user');
      expect(roleFor([], ['ops'])).toBe('user');
    });

    it('compares group names exactly (case matters)', () => {
      expect(roleFor(['OPS'], ['ops'])).toBe('user');
    });
  });

  describe(mayLogIn.name, () => {
    it('lets everyone in without allowed groups', () => {
      expect(mayLogIn([], [], [])).toBe(true);
    });

    it('lets in members of an allowed group or an admin group only', () => {
      expect(mayLogIn(['staff'], ['staff'], ['ops'])).toBe(true);
      expect(mayLogIn(['ops'], ['staff'], ['ops'])).toBe(true);
      expect(mayLogIn(['guests'], ['staff'], ['ops'])).toBe(false);
      expect(mayLogIn([], ['staff'], [])).toBe(false);
    });
  });

  describe(usernameCandidates.name, () => {
    it('starts with preferred_username, then numbered variants, then a random suffix', () => {
      const candidates = usernameCandidates('alice', 'sub-1', 'a1b2c3');
      expect(candidates.slice(0, 3)).toEqual(['alice', 'alice-2', 'alice-3']);
      expect(candidates.at(-1)).toBe('alice-a1b2c3');
      expect(new Set(candidates).size).toBe(candidates.length);
    });

    it('replaces characters a username may not contain and trims separators', () => {
      expect(usernameCandidates('Jane Doe (Ops)', 'x', 'r')[0]).toBe('Jane-Doe-Ops');
      expect(usernameCandidates('jane@example.com', 'x', 'r')[0]).toBe('jane-example.com');
    });

    it('falls back to the sub when preferred_username is missing or too short', () => {
      expect(usernameCandidates(undefined, '248289761001', 'r')[0]).toBe('248289761001');
      expect(usernameCandidates('é', 'auth0|5f7c8ec7', 'r')[0]).toBe('auth0-5f7c8ec7');
    });

    it('uses "oidc-user" when neither gives a username', () => {
      expect(usernameCandidates(42, '!', 'r')[0]).toBe('oidc-user');
    });

    it('keeps every candidate within 64 characters', () => {
      const candidates = usernameCandidates('a'.repeat(100), 's', 'ffffffff');
      expect(candidates[0]).toHaveLength(64);
      expect(candidates.every((name) => name.length <= 64 && /^[a-zA-Z0-9._-]{3,64}$/.test(name))).toBe(true);
      expect(candidates[1].endsWith('-2')).toBe(true);
    });
  });
});
