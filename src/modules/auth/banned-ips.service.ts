import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { NotFoundError } from '../../common/errors/domain-errors.js';
import { type Page, type PageQueryDto, pageOf } from '../../common/http/pagination.dto.js';
import { AuditService } from '../audit/audit.service.js';
import { BannedIpsRepository } from './banned-ips.repository.js';
import type { BannedIpDto } from './dto/banned-ip.dto.js';

@Injectable()
export class BannedIpsService {
  constructor(
    private readonly bans: BannedIpsRepository,
    private readonly audit: AuditService,
  ) {}

  async list(query: PageQueryDto): Promise<Page<BannedIpDto>> {
    const [rows, total] = await this.bans.listActive(query.limit, query.offset);
    const items = rows.map((row) => ({
      ip: row.ip,
      reason: row.reason,
      bannedUntil: row.bannedUntil.toISOString(),
      createdAt: row.createdAt.toISOString(),
    }));
    return pageOf(items, total, query);
  }

  async unban(ctx: RequestContext, ip: string): Promise<void> {
    if (!(await this.bans.remove(ip))) {
      throw new NotFoundError('banned_ip', 'No ban for this address');
    }
    await this.audit.record(ctx, { action: 'auth.ip_unbanned', targetType: 'ip', targetId: ip });
  }
}
