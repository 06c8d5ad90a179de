import { Body, Controller, Delete, Get, HttpStatus, Param, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, Ctx } from '../../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../../common/http/api-responses.decorators.js';
import { type Page, PageQueryDto } from '../../../common/http/pagination.dto.js';
import { ConfigEntryDto, ConfigKeyParamDto, PutConfigDto } from './config.dto.js';
import { ConfigStoreService } from './config-store.service.js';

const NOT_FOUND: [HttpStatus, string] = [HttpStatus.NOT_FOUND, 'config_key_not_found'];

@ApiTags('System')
@Controller('config')
export class ConfigController {
  constructor(private readonly config: ConfigStoreService) {}

  @Get()
  @Authenticated('system:read')
  @ApiOperation({ summary: 'All config values (secret-looking keys masked)' })
  @ApiSuccess(ConfigEntryDto, { paged: true })
  list(@Query() query: PageQueryDto): Promise<Page<ConfigEntryDto>> {
    return this.config.list(query);
  }

  @Get(':key')
  @Authenticated('system:read')
  @ApiOperation({ summary: 'One config value (masked when the key looks secret)' })
  @ApiSuccess(ConfigEntryDto)
  @ApiErrors(NOT_FOUND)
  get(@Param() { key }: ConfigKeyParamDto): Promise<ConfigEntryDto> {
    return this.config.get(key);
  }

  @Put(':key')
  @AdminOnly('admin')
  @ApiOperation({ summary: 'Set a config value (any JSON up to 64 KiB; audited)' })
  @ApiSuccess(ConfigEntryDto)
  @ApiErrors([HttpStatus.BAD_REQUEST, 'Invalid key or value over 64 KiB'])
  put(
    @Ctx() ctx: RequestContext,
    @Param() { key }: ConfigKeyParamDto,
    @Body() dto: PutConfigDto,
  ): Promise<ConfigEntryDto> {
    return this.config.put(ctx, key, dto.value);
  }

  @Delete(':key')
  @AdminOnly('admin')
  @NoContent()
  @ApiOperation({ summary: 'Remove a config value (audited)' })
  @ApiErrors(NOT_FOUND)
  remove(@Ctx() ctx: RequestContext, @Param() { key }: ConfigKeyParamDto): Promise<void> {
    return this.config.remove(ctx, key);
  }
}
