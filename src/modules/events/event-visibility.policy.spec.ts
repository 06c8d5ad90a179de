import { describe, expect, it } from '@jest/globals';
import { EventSubscription, type EventSink } from './event-subscription.js';
import { audienceSees, type EventAudience, filterMatches } from './event-visibility.policy.js';
import { hubEvent } from '../../../test/factories/hub-event.factory.js';
import type { HubEvent } from './hub-event.js';

const AGENT = 'a0000000-0000-4000-8000-000000000001';
const OTHER = 'a0000000-0000-4000-8000-000000000002';
const TEAM = 't0000000-0000-4000-8000-000000000001';
const OTHER_TEAM = 't0000000-0000-4000-8000-000000000002';

const event = (type: string, fields: Partial<HubEvent> = {}): HubEvent => hubEvent({ type, ...fields });

const agent: EventAudience = { kind: 'agent', agentId: AGENT, teamIds: new Set([TEAM]) };

describe('event visibility', () => {
  it.each([
    ['its own task', event('task.claimed', { agentId: AGENT }), true],
    ['its team’s task', event('task.created', { teamId: TEAM }), true],
    ['another team’s task', event('task.created', { teamId: OTHER_TEAM }), false],
    ['a teamless task of nobody', event('task.created'), false],
    ['another agent’s teamless task', event('task.claimed', { agentId: OTHER }), false],
    ['its own status', event('agent.offline', { agentId: AGENT }), true],
    ['another agent’s status, even in its team', event('agent.online', { agentId: OTHER, teamId: TEAM }), false],
    ['an occurrence whose task is in its team', event('schedule.fired', { teamId: TEAM }), true],
    ['an occurrence of a teamless task', event('schedule.fired'), false],
  ])('an agent sees %s: %s', (_label, subject, visible) => {
    expect(audienceSees(agent, subject)).toBe(visible);
  });

  it('people and the hub token see everything', () => {
    expect(audienceSees({ kind: 'everything' }, event('task.created', { teamId: OTHER_TEAM }))).toBe(true);
    expect(audienceSees({ kind: 'everything' }, event('agent.online', { agentId: OTHER }))).toBe(true);
  });

  it('narrows by type, team and task together', () => {
    const subject = event('task.created', { teamId: TEAM, taskId: 'x' });
    expect(filterMatches({}, subject)).toBe(true);
    expect(filterMatches({ types: new Set(['task.created']), teamId: TEAM, taskId: 'x' }, subject)).toBe(true);
    expect(filterMatches({ types: new Set(['task.claimed']) }, subject)).toBe(false);
    expect(filterMatches({ teamId: OTHER_TEAM }, subject)).toBe(false);
    expect(filterMatches({ taskId: 'y' }, subject)).toBe(false);
  });
});

describe(EventSubscription.name, () => {
  function recording(accept = () => true) {
    const sent: HubEvent[] = [];
    let ended = 0;
    const sink: EventSink = {
      open: () => undefined,
      send: (subject) => {
        sent.push(subject);
        return accept();
      },
      truncated: () => undefined,
      end: () => {
        ended += 1;
      },
    };
    return { sink, sent, ended: () => ended };
  }

  it('sends what it may see, skips the rest, and never goes back', () => {
    const { sink, sent } = recording();
    const subscription = new EventSubscription({ tx: 0n, id: 0n }, agent, {}, sink);
    const [mine, hidden, later] = [
      event('task.created', { teamId: TEAM }),
      event('task.created', { teamId: OTHER_TEAM }),
      event('task.claimed', { agentId: AGENT }),
    ];
    subscription.offer(mine);
    subscription.offer(hidden);
    subscription.offer(mine); // offered again (a catch-up overlapping the live flow): not sent twice
    subscription.offer(later);
    expect(sent).toEqual([mine, later]);
    expect(subscription.position).toEqual(later.position);
  });

  it('ends once when the client does not keep up, and then sends nothing', () => {
    const { sink, sent, ended } = recording(() => false);
    const subscription = new EventSubscription({ tx: 0n, id: 0n }, { kind: 'everything' }, {}, sink);
    let endings = 0;
    subscription.onEnd(() => (endings += 1));
    subscription.offer(event('task.created'));
    subscription.offer(event('task.created'));
    subscription.end();
    expect(sent).toHaveLength(1);
    expect([ended(), endings, subscription.isEnded]).toEqual([1, 1, true]);
  });

  it('tells a handler added after the end at once (a client that left while its stream was opening)', () => {
    const { sink } = recording();
    const subscription = new EventSubscription({ tx: 0n, id: 0n }, { kind: 'everything' }, {}, sink);
    subscription.end();
    let told = false;
    subscription.onEnd(() => (told = true));
    expect(told).toBe(true);
  });
});
