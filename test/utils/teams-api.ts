import type { Response } from 'supertest';
import { objectDetailsOf } from './api.js';

/** Shapes of the teams, roles, team types and templates payloads (SPEC sections 5, 6 and 12). */
export interface TemplateDto {
  id: string;
  name: string;
  description: string | null;
  promptTemplate: string;
  variables: string[];
  createdAt: string;
  updatedAt: string;
}

export interface TemplateWarning {
  type: 'unknown_variables';
  details: string;
  variables: string[];
  allowed: string[];
}

export interface TemplateWithWarnings extends TemplateDto {
  warnings: TemplateWarning[];
}

export interface DeletedTemplate {
  id: string;
  cleared: {
    roles: string[];
    teamTypeRoleLinks: Array<{ teamTypeId: string; roleId: string }>;
    teamMembers: string[];
  };
}

export interface RoleDto {
  id: string;
  name: string;
  description: string | null;
  defaultTemplateId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RoleLink {
  roleId: string;
  roleName: string;
  templateId: string | null;
}

export interface TeamTypeDto {
  id: string;
  name: string;
  description: string | null;
  roles: RoleLink[];
  createdAt: string;
  updatedAt: string;
}

export interface MemberDto {
  id: string;
  teamId: string;
  agentId: string;
  roleId: string;
  customTemplateId: string | null;
  createdAt: string;
}

export interface TeamDto {
  id: string;
  name: string;
  description: string | null;
  teamTypeId: string | null;
  isActive: boolean;
  members: MemberDto[];
  createdAt: string;
  updatedAt: string;
}

/** The `data.details` of a 409 "in use" answer (an object, not a list of field problems). */
export interface InUseDetails {
  teamIds?: string[];
  teamTypeIds?: string[];
  teamMemberIds?: string[];
}

/** `data.details` of a 409 "in use" answer. */
export const inUseDetailsOf = (response: Response): InUseDetails => objectDetailsOf<InUseDetails>(response);
