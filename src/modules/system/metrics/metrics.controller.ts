import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BEARER_SCHEME, Ctx, PublicCheckedByHandler } from '../../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../../common/auth/request-context.js';
import { matchesDigest, sha256 } from '../../../common/crypto/secret-digest.js';
import { ForbiddenError, UnauthenticatedError } from '../../../common/errors/domain-errors.js';
import { RequestHeader } from '../../../common/http/request-header.js';
import { AppConfig } from '../../../config/app-config.js';
import { HubMetricsService } from './hub-metrics.service.js';

interface TextReply {
  header(name: string, value: string): TextReply;
  send(body: string): unknown;
}

@ApiTags('System')
@Controller('metrics')
export class MetricsController {
  private readonly tokenDigest?: Buffer;

  constructor(
    private readonly metrics: HubMetricsService,
    config: AppConfig,
  ) {
    this.tokenDigest = config.metricsToken ? sha256(config.metricsToken) : undefined;
  }

  /** Public at the guard: METRICS_TOKEN is checked here, any other credential must be an administrator's. */
  @Get()
  @PublicCheckedByHandler(BEARER_SCHEME)
  @ApiOperation({ summary: 'Prometheus metrics (text format); for administrators or the METRICS_TOKEN bearer' })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'Prometheus exposition format (not enveloped)',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  async scrape(
    @Ctx() ctx: RequestContext,
    @RequestHeader('authorization') authorization: string | undefined,
    @Res() reply: TextReply,
  ): Promise<void> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const tokenMatches =
      this.tokenDigest !== undefined && bearer !== undefined && matchesDigest(bearer, this.tokenDigest);
    if (!tokenMatches && !ctx.isAdmin) {
      throw ctx.principal.kind === 'anonymous'
        ? new UnauthenticatedError()
        : new ForbiddenError('Metrics are for administrators');
    }
    reply.header('content-type', this.metrics.contentType).send(await this.metrics.render());
  }
}
