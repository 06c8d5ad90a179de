import { Controller, Get, Headers, HttpStatus, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Authenticated, Ctx } from '../../common/auth/auth.decorators.js';
import type { AuthenticatedRequest } from '../../common/auth/authenticated-request.js';
import { PassportRegistryService } from '../../common/auth/passport-registry.service.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors } from '../../common/http/api-responses.decorators.js';
import { type EventStreamReply, ServerSentEventStream } from '../../common/http/server-sent-events.js';
import { EventStreamQueryDto, HubEventMessageDto } from './dto/event-stream.dto.js';
import { eventStreamSink } from './event-stream.sink.js';
import { EventsService } from './events.service.js';

@ApiTags('Events')
@ApiExtraModels(HubEventMessageDto)
@Controller('events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly passport: PassportRegistryService,
  ) {}

  @Get()
  @Authenticated('events:read')
  @ApiOperation({
    summary: 'Live events as Server-Sent Events',
    description:
      'A `text/event-stream` of what happens on any hub instance: tasks created, changing status, claimed, ' +
      'losing their lease or removed; agents going online, offline or changing status; schedule occurrences ' +
      'firing or held back. Each event has `id:` (its position), `event:` (its type) and one `data:` line of ' +
      'JSON (`HubEventMessage`). Events arrive in one order, the same on every instance. Reconnect with ' +
      '`Last-Event-ID` (EventSource does so by itself) to continue right after the last event received; events ' +
      'are kept for EVENTS_RETENTION_HOURS, and a stream resumed from before that starts with an ' +
      '`events.truncated` event. A registered agent sees its own tasks, its teams’ tasks and occurrences, and its ' +
      'own status; people and the hub token see everything. The stream ends when its credential stops working ' +
      '(within 5 s) or the hub shuts down; browsers may pass the token as `?token=`.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'The event stream (never ends on its own while the credential is valid)',
    content: { 'text/event-stream': { schema: { type: 'string', description: getSchemaPath(HubEventMessageDto) } } },
  })
  @ApiErrors([HttpStatus.BAD_REQUEST, 'validation_failed: an unknown event type, a malformed id or Last-Event-ID'])
  async stream(
    @Ctx() ctx: RequestContext,
    @Query() query: EventStreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res() reply: EventStreamReply,
  ): Promise<void> {
    const stream = new ServerSentEventStream(reply);
    const subscription = await this.events.open(
      ctx,
      query,
      lastEventId ?? query.lastEventId,
      eventStreamSink(stream),
      () => this.passport.stillAuthenticates(request, reply, ctx.principal),
    );
    stream.onClose(() => subscription.end());
  }
}
