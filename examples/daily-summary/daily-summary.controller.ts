import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AdminOnly,
  ApiErrors,
  ApiSuccess,
  Ctx,
  type Page,
  PageQueryDto,
  type RequestContext,
  UserOnly,
} from '../../src/public-api.js';
import { DailySummaryService } from './daily-summary.service.js';
import {
  DailySummaryDto,
  DeliveryRecordDto,
  SendSummaryDto,
  SummaryDayQueryDto,
  SummaryDeliveryDto,
} from './dto/daily-summary.dto.js';

@ApiTags('Daily summary (example extension)')
@Controller('daily-summary')
export class DailySummaryController {
  constructor(private readonly summaries: DailySummaryService) {}

  @Get('preview')
  @UserOnly()
  @ApiOperation({ summary: 'The summary of a UTC day (today by default), as it would be sent' })
  @ApiSuccess(DailySummaryDto)
  @ApiErrors([HttpStatus.BAD_REQUEST, 'validation_failed (date)'])
  preview(@Ctx() ctx: RequestContext, @Query() query: SummaryDayQueryDto): Promise<DailySummaryDto> {
    return this.summaries.summarize(ctx, query.date);
  }

  @Post('send')
  @AdminOnly('tasks:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Send the summary of a UTC day (today by default) now; audited' })
  @ApiSuccess(SummaryDeliveryDto)
  @ApiErrors(
    [HttpStatus.BAD_REQUEST, 'validation_failed (date)'],
    [HttpStatus.BAD_GATEWAY, 'summary_not_delivered: refused URL, no answer, or a non-2xx answer'],
  )
  send(@Ctx() ctx: RequestContext, @Body() body: SendSummaryDto): Promise<SummaryDeliveryDto> {
    return this.summaries.send(ctx, body.date, 'manual');
  }

  @Get('deliveries')
  @AdminOnly('tasks:read')
  @ApiOperation({ summary: "Every attempt to send a summary, newest first (the extension's own table)" })
  @ApiSuccess(DeliveryRecordDto, { paged: true })
  deliveries(@Query() query: PageQueryDto): Promise<Page<DeliveryRecordDto>> {
    return this.summaries.listDeliveries(query);
  }
}
