import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HubCountsReadModel } from '../stats/hub-counts.read-model.js';

/**
 * Prometheus metrics of this application, in its own registry (two hubs in one process never mix their
 * series): process defaults, HTTP requests by route and status, and, read at scrape time, tasks and agents
 * by status, callback deliveries by status and scheduler runs by outcome.
 */
@Injectable()
export class HubMetricsService {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route' | 'status'>;

  constructor(stats: HubCountsReadModel) {
    collectDefaultMetrics({ register: this.registry });
    const labelNames = ['method', 'route', 'status'] as const;
    this.requests = new Counter({
      name: 'ananta_http_requests_total',
      help: 'HTTP requests by method, route pattern and status code',
      labelNames,
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'ananta_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status code',
      labelNames,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.gaugeFrom('ananta_tasks', 'Tasks by status', 'status', () => stats.tasksByStatus());
    this.gaugeFrom('ananta_agents', 'Agents by status', 'status', () => stats.agentsByStatus());
    this.gaugeFrom('ananta_callback_deliveries', 'Callback deliveries by status', 'status', () =>
      stats.deliveriesByStatus(),
    );
    this.gaugeFrom('ananta_scheduler_runs', 'Scheduled-task runs by outcome', 'outcome', () =>
      stats.schedulerRunsByOutcome(),
    );
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  /** The exposition text; prom-client writes NaN as "Nan", which the text format spells "NaN". */
  async render(): Promise<string> {
    return (await this.registry.metrics()).replace(/ Nan$/gm, ' NaN');
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private gaugeFrom(name: string, help: string, label: string, read: () => Promise<Record<string, number>>): void {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [value, count] of Object.entries(await read())) {
          this.set({ [label]: value }, count);
        }
      },
    });
  }
}
