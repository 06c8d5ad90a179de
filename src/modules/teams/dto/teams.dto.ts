import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.dto.js';

const UUID_EXAMPLE = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

export class TeamTypeInputDto {
  @ApiProperty({ example: 'Scrum' }) @IsString() @Length(1, 128) name!: string;
  @ApiPropertyOptional({ example: 'Sprints with a product owner and a scrum master' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

export class UpdateTeamTypeDto {
  @ApiPropertyOptional({ example: 'Scrum' }) @IsOptional() @IsString() @Length(1, 128) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
}

export class LinkRoleDto {
  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE }) @IsUUID() roleId!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Template for this role in teams of this type' })
  @IsOptional()
  @IsUUID()
  templateId?: string;
}

export class RelinkRoleDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'null removes the per-type template' })
  @ValidateIf((_dto, value) => value !== null)
  @IsUUID()
  templateId!: string | null;
}

export class TypeRoleParamsDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() roleId!: string;
}

export class RoleInputDto {
  @ApiProperty({ example: 'Developer' }) @IsString() @Length(1, 128) name!: string;
  @ApiPropertyOptional({ example: 'Builds and tests the increment' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() defaultTemplateId?: string;
}

export class UpdateRoleDto {
  @ApiPropertyOptional({ example: 'Developer' }) @IsOptional() @IsString() @Length(1, 128) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsUUID()
  defaultTemplateId?: string | null;
}

export class TeamInputDto {
  @ApiProperty({ example: 'Team Alpha' }) @IsString() @Length(1, 128) name!: string;
  @ApiPropertyOptional({ example: 'Builds the billing service' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
  @ApiPropertyOptional({ format: 'uuid', example: UUID_EXAMPLE }) @IsOptional() @IsUUID() teamTypeId?: string;
  @ApiPropertyOptional({ description: 'Making a team active deactivates the others', default: false })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class UpdateTeamDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 128) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsUUID()
  teamTypeId?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isActive?: boolean;
}

export class AddMemberDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() agentId!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() roleId!: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() customTemplateId?: string;
}

export class MemberParamsDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() memberId!: string;
}

export class ListTeamsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() teamTypeId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  isActive?: boolean;
}

export class RoleLinkDto {
  @ApiProperty({ format: 'uuid' }) roleId!: string;
  @ApiProperty({ example: 'Developer' }) roleName!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) templateId!: string | null;
}

export class TeamTypeResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Scrum' }) name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ type: [RoleLinkDto], description: 'The roles this type allows, with their per-type templates' })
  roles!: RoleLinkDto[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class RoleResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Developer' }) name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) defaultTemplateId!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class TeamMemberResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) teamId!: string;
  @ApiProperty({ format: 'uuid' }) agentId!: string;
  @ApiProperty({ format: 'uuid' }) roleId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) customTemplateId!: string | null;
  @ApiProperty() createdAt!: string;
}

export class TeamResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Team Alpha' }) name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) teamTypeId!: string | null;
  @ApiProperty() isActive!: boolean;
  @ApiProperty({ type: [TeamMemberResponseDto] }) members!: TeamMemberResponseDto[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}
