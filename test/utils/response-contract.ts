import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** The parts of an OpenAPI 3.0 document the contract check reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, unknown>; responses?: Record<string, OpenApiResponse> };
}

export interface OpenApiOperation {
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  responses: Record<string, OpenApiResponse | { $ref: string }>;
  security?: Array<Record<string, string[]>>;
  requestBody?: unknown;
}

export interface OpenApiResponse {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
}

/** One response as the test client received it. */
export interface ObservedResponse {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** What the check made of one response: the operation it belongs to (if any) and what is wrong with it. */
export interface ContractVerdict {
  operation: string | undefined;
  problems: string[];
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

// Keys that must never appear in a response body, at any depth: credentials at rest, their hashes, and
// write-only inputs. Values under such keys are allowed only when masked: the config store's "***", the
// audit log's "[REDACTED]".
const SECRET_KEY =
  /(hash|sealed|salt)$|^(password|currentpassword|newpassword|callbacksecret|mfasecret|outboundtoken|tokenversion|secretkey|encryptionkey|registrationtoken)$/i;
const MASKS = new Set(['***', '[REDACTED]']);
// Secrets that one operation hands out on purpose, once.
const SECRETS_BY_DESIGN: Record<string, string[]> = { 'POST /api/profile/mfa/setup': ['secret'] };
const ALWAYS_SECRET = /^secret$/i;

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

// Headers every response of the hub carries, whatever layer wrote it (SPEC section 1; issue 11).
const REQUIRED_HEADERS: Array<[string, RegExp]> = [
  ['x-request-id', /^[A-Za-z0-9._:-]{1,128}$/],
  ['x-content-type-options', /^nosniff$/],
  ['x-frame-options', /^DENY$/],
  ['referrer-policy', /^strict-origin-when-cross-origin$/],
  ['content-security-policy', /frame-ancestors 'none'/],
  ['cache-control', /^no-store$/],
];

const templateRegex = (template: string): RegExp =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);

// Object schemas that list their properties are closed for the check, so a field the code sends but the
// document does not describe is drift too. Free-form objects (no `properties`) stay open.
function closeObjectSchemas(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(closeObjectSchemas);
  }
  if (node === null || typeof node !== 'object') {
    return node;
  }
  const copy = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, closeObjectSchemas(value)]));
  if ('properties' in copy && !('additionalProperties' in copy) && !('allOf' in copy)) {
    copy.additionalProperties = false;
  }
  return copy;
}

/** Checks responses against one OpenAPI document: status documented, body valid, error envelope, no secrets. */
export class ResponseContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  private readonly templates: Array<{ path: string; regex: RegExp; params: number }>;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    addFormats.default(this.ajv);
    this.ajv.addSchema({ $id: 'openapi', components: closeObjectSchemas(document.components ?? {}) });
    this.templates = Object.keys(document.paths)
      .map((path) => ({ path, regex: templateRegex(path), params: (path.match(/\{/g) ?? []).length }))
      // Literal segments win over parameters: /api/tasks/archived before /api/tasks/{id}.
      .sort((a, b) => a.params - b.params);
  }

  /** `METHOD /path/{template}` of the operation serving the request, if the document has one. */
  operationOf(method: string, pathname: string): string | undefined {
    const lower = method.toLowerCase();
    if (!METHODS.has(lower)) {
      return undefined;
    }
    const template = this.templates.find(
      (entry) => entry.regex.test(pathname) && this.document.paths[entry.path][lower],
    );
    return template ? `${method.toUpperCase()} ${template.path}` : undefined;
  }

  check(response: ObservedResponse): ContractVerdict {
    const pathname = new URL(response.url).pathname;
    const operation = this.operationOf(response.method, pathname);
    const problems = headerProblems(response);
    const body = this.parseBody(response, problems);
    if (response.status >= 400) {
      problems.push(...this.envelopeProblems(response, body));
    }
    if (operation) {
      problems.push(...this.documentedProblems(operation, response, body));
    }
    if (body !== undefined) {
      problems.push(...secretKeyProblems(operation, body));
    }
    return { operation, problems };
  }

  private parseBody(response: ObservedResponse, problems: string[]): unknown {
    const type = String(response.headers['content-type'] ?? '');
    if (!type.startsWith('application/json') || response.text === '') {
      return undefined;
    }
    try {
      return JSON.parse(response.text) as unknown;
    } catch {
      problems.push('the body is declared as JSON but does not parse');
      return undefined;
    }
  }

  private envelopeProblems(response: ObservedResponse, body: unknown): string[] {
    const envelope = body as { status?: unknown; message?: unknown; data?: { code?: unknown; requestId?: unknown } };
    if (envelope?.status !== 'error' || typeof envelope.message !== 'string') {
      return [`a ${response.status} without the error envelope: ${response.text.slice(0, 200)}`];
    }
    const problems: string[] = [];
    if (typeof envelope.data?.code !== 'string' || !SNAKE_CASE.test(envelope.data.code)) {
      problems.push(`error code ${JSON.stringify(envelope.data?.code)} is not snake_case`);
    }
    if (envelope.data?.requestId !== response.headers['x-request-id']) {
      problems.push('the envelope requestId differs from the X-Request-Id header');
    }
    return problems;
  }

  private documentedProblems(operation: string, response: ObservedResponse, body: unknown): string[] {
    const [method, path] = operation.split(' ');
    const documented = this.document.paths[path][method.toLowerCase()].responses;
    const entry = documented[String(response.status)] ?? documented.default;
    if (!entry) {
      return [`status ${response.status} is not documented (documented: ${Object.keys(documented).join(', ')})`];
    }
    const resolved = this.resolveResponse(entry);
    const schema = resolved.content?.['application/json']?.schema;
    if (response.status === 204 || !resolved.content) {
      return response.text === '' ? [] : [`status ${response.status} is documented without a body but has one`];
    }
    if (!schema || body === undefined) {
      return [];
    }
    const validate = this.validatorFor(`${operation} ${response.status}`, schema);
    return validate(body)
      ? []
      : (validate.errors ?? []).map(
          (error) => `body${error.instancePath} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
        );
  }

  private resolveResponse(entry: OpenApiResponse | { $ref: string }): OpenApiResponse {
    if ('$ref' in entry) {
      const name = entry.$ref.replace('#/components/responses/', '');
      return this.document.components?.responses?.[name] ?? {};
    }
    return entry;
  }

  private validatorFor(key: string, schema: unknown): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      // References point into the document's components; they resolve against the schema registered above.
      const rebased = JSON.parse(
        JSON.stringify(closeObjectSchemas(schema)).replaceAll('"#/components/', '"openapi#/components/'),
      ) as object;
      validate = this.ajv.compile(rebased);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

function headerProblems(response: ObservedResponse): string[] {
  return REQUIRED_HEADERS.filter(([name, shape]) => !shape.test(String(response.headers[name] ?? ''))).map(
    ([name]) => `header ${name} is missing or wrong: ${JSON.stringify(response.headers[name])}`,
  );
}

function secretKeyProblems(operation: string | undefined, body: unknown): string[] {
  const allowed = new Set(operation ? SECRETS_BY_DESIGN[operation] : []);
  const problems: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, `${path}[${index}]`));
      return;
    }
    if (node === null || typeof node !== 'object') {
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      const secretLooking = SECRET_KEY.test(key) || (ALWAYS_SECRET.test(key) && !allowed.has(key));
      if (secretLooking && value !== null && !MASKS.has(value as string)) {
        problems.push(`secret-looking key in the response: ${path}.${key}`);
      }
      visit(value, `${path}.${key}`);
    }
  };
  visit(body, 'body');
  return problems;
}
