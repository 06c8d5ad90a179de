import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../common/auth/auth.decorators.js';
import { ApiSuccess } from '../../common/http/api-responses.decorators.js';
import type { Page } from '../../common/http/pagination.dto.js';
import { AuditService } from './audit.service.js';
import { AuditEntryDto } from './dto/audit-entry.dto.js';
import { ListAuditLogsQueryDto } from './dto/list-audit-logs.query.dto.js';

@ApiTags('Audit')
@Controller('audit-logs')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @AdminOnly('admin')
  @ApiOperation({ summary: 'Audit entries, newest first (read-only: no API changes or deletes entries)' })
  @ApiSuccess(AuditEntryDto, { paged: true })
  list(@Query() query: ListAuditLogsQueryDto): Promise<Page<AuditEntryDto>> {
    return this.audit.list(query);
  }
}
