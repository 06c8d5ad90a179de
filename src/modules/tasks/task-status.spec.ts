import { describe, expect, it } from '@jest/globals';
// The SPEC section 12 table as the tests restate it from the text, never imported from src.
import { ALLOWED_TRANSITIONS, STATUSES } from '../../../test/utils/tasks-lifecycle-helpers.js';
import { canTransition, normalizeStatus, TASK_STATUSES } from './task-status.js';

describe('task statuses', () => {
  it('knows exactly the seven statuses of SPEC section 7', () => {
    expect([...TASK_STATUSES].sort()).toEqual([...STATUSES].sort());
  });

  describe(canTransition.name, () => {
    const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));

    it.each(pairs)('%s -> %s is allowed exactly when SPEC lists it', (from, to) => {
      expect(canTransition(from, to)).toBe(ALLOWED_TRANSITIONS[from].includes(to));
    });

    it('has no X -> X entry: reporting the current status again is refused', () => {
      expect(STATUSES.filter((status) => canTransition(status, status))).toEqual([]);
    });

    it('keeps completed and cancelled final', () => {
      expect(STATUSES.filter((to) => canTransition('completed', to) || canTransition('cancelled', to))).toEqual([]);
    });
  });

  describe(normalizeStatus.name, () => {
    it.each(STATUSES)('takes the canonical %s as it is, in any case and with surrounding blanks', (status) => {
      expect(normalizeStatus(status)).toBe(status);
      expect(normalizeStatus(` ${status.toUpperCase()} `)).toBe(status);
    });

    it.each([
      ['to-do', 'todo'],
      ['to_do', 'todo'],
      ['To Do', 'todo'],
      ['backlog', 'todo'],
      ['open', 'todo'],
      ['created', 'todo'],
      ['in-progress', 'in_progress'],
      ['in progress', 'in_progress'],
      ['In-Progress', 'in_progress'],
      ['inprogress', 'in_progress'],
      ['running', 'in_progress'],
      ['started', 'in_progress'],
      ['done', 'completed'],
      ['DONE', 'completed'],
      ['complete', 'completed'],
      ['finished', 'completed'],
      ['canceled', 'cancelled'],
      ['error', 'failed'],
    ])('reads the original spelling %j as %s', (spelling, canonical) => {
      expect(normalizeStatus(spelling)).toBe(canonical);
    });

    it.each(['', 'nope', 'in--progress-ish', 'todo!', 'complete d'])('names no status for %j', (spelling) => {
      expect(normalizeStatus(spelling)).toBeUndefined();
    });
  });
});
