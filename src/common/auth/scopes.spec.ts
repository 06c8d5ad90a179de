import { describe, expect, it } from '@jest/globals';
import { AGENT_DEFAULT_SCOPES, grants, SCOPES } from './scopes.js';

describe(grants.name, () => {
  it('lets an unrestricted credential (a session, the hub token) through every scope', () => {
    for (const scope of SCOPES) {
      expect(grants(undefined, scope)).toBe(true);
    }
  });

  it('allows exactly the scopes granted', () => {
    expect(grants(['tasks:read'], 'tasks:read')).toBe(true);
    expect(grants(['tasks:read'], 'tasks:write')).toBe(false);
    expect(grants(['tasks:write'], 'tasks:read')).toBe(false);
    expect(grants([], 'events:read')).toBe(false);
  });

  it('treats admin as every scope (the level check still asks for an administrator)', () => {
    for (const scope of SCOPES) {
      expect(grants(['admin'], scope)).toBe(true);
    }
  });
});

describe('AGENT_DEFAULT_SCOPES', () => {
  it('holds every scope but admin', () => {
    expect([...AGENT_DEFAULT_SCOPES, 'admin'].sort()).toEqual([...SCOPES].sort());
  });
});
