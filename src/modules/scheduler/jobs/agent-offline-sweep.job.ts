import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { AgentsService } from '../../agents/agents.service.js';
import { SystemJobsService } from '../system-jobs.service.js';

export const AGENT_OFFLINE_SWEEP = 'agents.offline-sweep';
const PERIOD_SECONDS = 30;

/** Marks agents offline after AGENT_OFFLINE_TIMEOUT_SECONDS without a heartbeat; once per tick cluster-wide. */
@Injectable()
export class AgentOfflineSweepJob {
  constructor(
    private readonly jobs: SystemJobsService,
    private readonly agents: AgentsService,
  ) {}

  @Cron(`*/${PERIOD_SECONDS} * * * * *`, { name: AGENT_OFFLINE_SWEEP, waitForCompletion: true })
  onSchedule(): Promise<boolean> {
    return this.tick(new Date());
  }

  /** One tick for the slot `now` falls in; true when this instance claimed and ran it. */
  tick(now: Date): Promise<boolean> {
    return this.jobs.runTick(AGENT_OFFLINE_SWEEP, PERIOD_SECONDS, (ctx) => this.agents.markStaleOffline(ctx), now);
  }
}
