import type { Server } from 'node:http';
import request from 'supertest';
import type { Response, Test } from 'supertest';
import { errorBody, successBody } from './envelope.js';
import type { Headers } from './tokens.js';

/** Shapes of the teams, roles, team types and templates payloads (SPEC sections 5, 6 and 12). */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

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

export interface Registration {
  agent: { id: string; name: string; url: string };
  agentKey: string;
}

/** The `data.details` of a 409 "in use" answer (an object, not a list of field problems). */
export interface InUseDetails {
  teamIds?: string[];
  teamTypeIds?: string[];
  teamMemberIds?: string[];
}

export type Method = 'get' | 'post' | 'patch' | 'delete';

/** One HTTP call against the hub with the given credential headers (and a JSON body when given). */
export function call(server: Server, method: Method, path: string, headers: Headers, body?: object): Test {
  const test = request(server)[method](path).set(headers);
  return body === undefined ? test : test.send(body);
}

/** `data.code` of an error envelope. */
export const codeOf = (response: Response): string => errorBody(response).data.code;

/** `data.details` of an error envelope, when it is an object (409 "in use" answers). */
export const inUseDetailsOf = (response: Response): InUseDetails =>
  (response.body as { data: { details: InUseDetails } }).data.details;

/** The `field`s of the `details` list of a 400 envelope. */
export const fieldsOf = (response: Response): string[] =>
  (errorBody(response).data.details ?? []).map((problem) => problem.field);

/** `data` of a success envelope. */
export const dataOf = <T>(response: Response): T => successBody<T>(response).data;

export const sorted = (values: readonly string[]): string[] => [...values].sort();
