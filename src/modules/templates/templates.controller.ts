import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, Ctx } from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess } from '../../common/http/api-responses.decorators.js';
import { IdParam } from '../../common/http/id-param.js';
import { type Page, PageQueryDto } from '../../common/http/pagination.dto.js';
import {
  CreateTemplateDto,
  DeletedTemplateDto,
  RenderedTemplateDto,
  RenderTemplateDto,
  TemplateResponseDto,
  TemplateWithWarningsDto,
  UpdateTemplateDto,
} from './dto/template.dto.js';
import { TemplatesService } from './templates.service.js';

const NOT_FOUND: [HttpStatus, string] = [HttpStatus.NOT_FOUND, 'template_not_found'];

@ApiTags('Templates')
@Controller('templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get()
  @Authenticated('templates:read')
  @ApiOperation({ summary: 'List prompt templates' })
  @ApiSuccess(TemplateResponseDto, { paged: true })
  list(@Query() query: PageQueryDto): Promise<Page<TemplateResponseDto>> {
    return this.templates.list(query);
  }

  @Get(':id')
  @Authenticated('templates:read')
  @ApiOperation({ summary: 'Read a template' })
  @ApiSuccess(TemplateResponseDto)
  @ApiErrors(NOT_FOUND)
  get(@IdParam() id: string): Promise<TemplateResponseDto> {
    return this.templates.get(id);
  }

  @Post()
  @AdminOnly('templates:write')
  @ApiOperation({ summary: 'Create a template; `warnings` lists placeholders outside the allow-list' })
  @ApiSuccess(TemplateWithWarningsDto, { status: HttpStatus.CREATED })
  @ApiErrors([HttpStatus.CONFLICT, 'template_name_taken'])
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateTemplateDto): Promise<TemplateWithWarningsDto> {
    return this.templates.create(ctx, dto);
  }

  @Patch(':id')
  @AdminOnly('templates:write')
  @ApiOperation({ summary: 'Change a template; `warnings` as for create' })
  @ApiSuccess(TemplateWithWarningsDto)
  @ApiErrors(NOT_FOUND, [HttpStatus.CONFLICT, 'template_name_taken'])
  update(
    @Ctx() ctx: RequestContext,
    @IdParam() id: string,
    @Body() dto: UpdateTemplateDto,
  ): Promise<TemplateWithWarningsDto> {
    return this.templates.update(ctx, id, dto);
  }

  @Delete(':id')
  @AdminOnly('templates:write')
  @ApiOperation({ summary: 'Delete a template, clearing references to it (roles, type–role links, members)' })
  @ApiSuccess(DeletedTemplateDto)
  @ApiErrors(NOT_FOUND)
  remove(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<DeletedTemplateDto> {
    return this.templates.remove(ctx, id);
  }

  @Post(':id/render')
  @Authenticated('templates:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Fill the placeholders; 400 lists the variables that are missing' })
  @ApiSuccess(RenderedTemplateDto)
  @ApiErrors(NOT_FOUND, [HttpStatus.BAD_REQUEST, 'validation_failed: details name each missing variable'])
  render(@IdParam() id: string, @Body() dto: RenderTemplateDto): Promise<RenderedTemplateDto> {
    return this.templates.render(id, dto.variables);
  }
}
