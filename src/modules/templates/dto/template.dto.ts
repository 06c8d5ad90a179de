import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { MaxJsonBytes } from '../../../common/http/byte-size.validators.js';
import type { TemplateEntity } from '../template.entity.js';
import type { TemplateValue } from '../placeholders.js';

const EXAMPLE = 'You are the {{role_name}} of {{team_name}}. Team goal: {{team_goal}}';

export class CreateTemplateDto {
  @ApiProperty({ example: 'Scrum - Reviewer' }) @IsString() @Length(1, 128) name!: string;
  @ApiPropertyOptional({ example: 'Prompt for code reviews' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
  @ApiProperty({ example: EXAMPLE }) @IsString() @Length(1, 65_536) promptTemplate!: string;
}

export class UpdateTemplateDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 128) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @ApiPropertyOptional({ example: EXAMPLE }) @IsOptional() @IsString() @Length(1, 65_536) promptTemplate?: string;
}

export class RenderTemplateDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { role_name: 'Developer', team_name: 'Alpha', team_goal: 'Ship v2' },
  })
  @IsObject()
  @MaxJsonBytes(65_536)
  variables!: Record<string, TemplateValue>;
}

export class TemplateResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Scrum - Developer' }) name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ example: EXAMPLE }) promptTemplate!: string;
  @ApiProperty({ type: [String], example: ['role_name', 'team_name', 'team_goal'], description: 'Placeholders used' })
  variables!: string[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class TemplateWarningDto {
  @ApiProperty({ enum: ['unknown_variables'] }) type!: 'unknown_variables';
  @ApiProperty({ example: 'Unknown variables: colour' }) details!: string;
  @ApiProperty({ type: [String], example: ['colour'] }) variables!: string[];
  @ApiProperty({ type: [String] }) allowed!: string[];
}

export class TemplateWithWarningsDto extends TemplateResponseDto {
  @ApiProperty({ type: [TemplateWarningDto] }) warnings!: TemplateWarningDto[];
}

export class RenderedTemplateDto {
  @ApiProperty({ example: 'You are the Developer of Alpha. Team goal: Ship v2' }) text!: string;
}

export class ClearedReferencesDto {
  @ApiProperty({ type: [String], description: 'Roles whose default template it was' }) roles!: string[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object', properties: { teamTypeId: { type: 'string' }, roleId: { type: 'string' } } },
  })
  teamTypeRoleLinks!: Array<{ teamTypeId: string; roleId: string }>;
  @ApiProperty({ type: [String], description: 'Team members whose custom template it was' }) teamMembers!: string[];
}

export class DeletedTemplateDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: ClearedReferencesDto }) cleared!: ClearedReferencesDto;
}

export const toTemplateResponse = (template: TemplateEntity, variables: string[]): TemplateResponseDto => ({
  id: template.id,
  name: template.name,
  description: template.description,
  promptTemplate: template.promptTemplate,
  variables,
  createdAt: template.createdAt.toISOString(),
  updatedAt: template.updatedAt.toISOString(),
});
