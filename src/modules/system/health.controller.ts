import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth/auth.decorators.js';
import { ApiErrors, ApiSuccess } from '../../common/http/api-responses.decorators.js';
import { HealthResponseDto, ReadinessResponseDto } from './dto/health.response.dto.js';
import { HealthService } from './health.service.js';

@ApiTags('System')
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiSuccess(HealthResponseDto)
  liveness(): HealthResponseDto {
    return this.health.liveness();
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: the database answers and all migrations are applied' })
  @ApiSuccess(ReadinessResponseDto)
  @ApiErrors([
    HttpStatus.SERVICE_UNAVAILABLE,
    'Database unreachable (database_unavailable) or migrations pending (not_ready)',
  ])
  readiness(): Promise<ReadinessResponseDto> {
    return this.health.readiness();
  }
}
