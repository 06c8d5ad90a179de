import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { MetricsTokenOrAdmin } from '../../../common/auth/auth.decorators.js';
import { HubMetricsService } from './hub-metrics.service.js';

interface TextReply {
  header(name: string, value: string): TextReply;
  send(body: string): unknown;
}

@ApiTags('System')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: HubMetricsService) {}

  @Get()
  @MetricsTokenOrAdmin()
  @ApiOperation({ summary: 'Prometheus metrics (text format); for administrators or the METRICS_TOKEN bearer' })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'Prometheus exposition format (not enveloped)',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  async scrape(@Res() reply: TextReply): Promise<void> {
    reply.header('content-type', this.metrics.contentType).send(await this.metrics.render());
  }
}
