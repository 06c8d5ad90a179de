import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { NotFoundError } from '../../common/errors/domain-errors.js';
import { withUniqueName } from '../../common/errors/unique-name.js';
import { type Page, type PageQueryDto, pageOf } from '../../common/http/pagination.dto.js';
import { AuditService } from '../audit/audit.service.js';
import { ConfigStoreService } from '../system/config/config-store.service.js';
import {
  type CreateTemplateDto,
  type DeletedTemplateDto,
  type RenderedTemplateDto,
  type TemplateResponseDto,
  type TemplateWithWarningsDto,
  toTemplateResponse,
  type UpdateTemplateDto,
} from './dto/template.dto.js';
import {
  allowListOf,
  placeholdersOf,
  renderOrFail,
  type TemplateValue,
  unknownVariableWarnings,
} from './placeholders.js';
import type { TemplateReferenceHolder } from './template-references.js';
import type { TemplateEntity } from './template.entity.js';
import { TemplatesRepository, type TemplateValues } from './templates.repository.js';

export const ALLOWLIST_KEY = 'template_variables_allowlist';

/** Prompt templates (SPEC section 6). */
@Injectable()
export class TemplatesService {
  private readonly referenceHolders: TemplateReferenceHolder[] = [];

  constructor(
    private readonly templates: TemplatesRepository,
    private readonly config: ConfigStoreService,
    private readonly audit: AuditService,
  ) {}

  async list(query: PageQueryDto): Promise<Page<TemplateResponseDto>> {
    const [rows, total] = await this.templates.list(query.limit, query.offset);
    return pageOf(
      rows.map((row) => this.toResponse(row)),
      total,
      query,
    );
  }

  async get(id: string): Promise<TemplateResponseDto> {
    return this.toResponse(await this.require(id));
  }

  /** Whether a template with this id exists (for other modules' validation). */
  async exists(id: string): Promise<boolean> {
    return (await this.templates.getById(id)) !== null;
  }

  async create(ctx: RequestContext, dto: CreateTemplateDto): Promise<TemplateWithWarningsDto> {
    const template = await withUniqueName('template', () =>
      this.templates.create({
        name: dto.name,
        description: dto.description ?? null,
        promptTemplate: dto.promptTemplate,
      }),
    );
    await this.audit.record(ctx, {
      action: 'template.created',
      targetType: 'template',
      targetId: template.id,
      details: { name: template.name },
    });
    return this.withWarnings(template);
  }

  async update(ctx: RequestContext, id: string, dto: UpdateTemplateDto): Promise<TemplateWithWarningsDto> {
    await this.require(id);
    const template = (await withUniqueName('template', () => this.templates.update(id, dto)))!;
    await this.audit.record(ctx, {
      action: 'template.updated',
      targetType: 'template',
      targetId: id,
      details: { fields: Object.keys(dto) },
    });
    return this.withWarnings(template);
  }

  /** Modules whose rows point at templates register here at start; deleting a template clears them. */
  addReferenceHolder(holder: TemplateReferenceHolder): void {
    this.referenceHolders.push(holder);
  }

  /** Creates the templates that do not exist yet (by name); returns every one's id by name. */
  ensureExist(templates: TemplateValues[]): Promise<{ ids: Map<string, string>; inserted: number }> {
    return this.templates.ensureByName(templates);
  }

  async remove(ctx: RequestContext, id: string): Promise<DeletedTemplateDto> {
    const cleared = await this.templates.deleteClearingReferences(id, this.referenceHolders);
    if (!cleared) {
      throw new NotFoundError('template');
    }
    await this.audit.record(ctx, {
      action: 'template.deleted',
      targetType: 'template',
      targetId: id,
      details: { cleared },
    });
    return { id, cleared };
  }

  async render(id: string, variables: Record<string, TemplateValue>): Promise<RenderedTemplateDto> {
    const template = await this.require(id);
    return { text: renderOrFail(template.promptTemplate, variables) };
  }

  /** Config key `template_variables_allowlist` (an array of names) when set, else the original's list. */
  private async allowedVariables(): Promise<readonly string[]> {
    return allowListOf(await this.config.raw(ALLOWLIST_KEY));
  }

  private async withWarnings(template: TemplateEntity): Promise<TemplateWithWarningsDto> {
    const response = this.toResponse(template);
    return { ...response, warnings: unknownVariableWarnings(response.variables, await this.allowedVariables()) };
  }

  private toResponse(template: TemplateEntity): TemplateResponseDto {
    return toTemplateResponse(template, placeholdersOf(template.promptTemplate));
  }

  private async require(id: string): Promise<TemplateEntity> {
    const template = await this.templates.getById(id);
    if (!template) {
      throw new NotFoundError('template');
    }
    return template;
  }
}
