import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, type OperationObject, SwaggerModule } from '@nestjs/swagger';
import {
  BEARER_SCHEME,
  OIDC_SCHEME,
  QUERY_TOKEN_SCHEME,
  REGISTRATION_TOKEN_SCHEME,
} from '../common/auth/auth.decorators.js';
import { AppConfig } from '../config/app-config.js';
import { ErrorEnvelopeDto, FieldProblemDto } from '../common/http/api-envelope.dto.js';
import {
  OIDC_AUTHORIZE_PATH,
  OIDC_TOKEN_PATH,
  SWAGGER_CLIENT_ID,
  swaggerRedirectUri,
} from '../modules/auth/oidc/oidc-client-bridge.js';
import { documentEdgeResponses } from './openapi-edge-responses.js';

export const DOCS_PATH = 'api/docs';

const DESCRIPTION = `Coordinating hub of the Ananta multi-agent system.

Every JSON response is an envelope: \`{"status": "success", "data": …}\` or
\`{"status": "error", "message": …, "data": {"code", "requestId", "details"?}}\`.
Lists answer \`{items, total, limit, offset}\` (\`limit\` 1–500, default 50).
Every response carries \`X-Request-Id\` and \`Cache-Control: no-store\`. Besides the responses listed per
operation, the HTTP layer answers 404 \`route_not_found\`, 405 \`method_not_allowed\` (with \`Allow\`)
and 408 \`request_timeout\`; JSON bodies may nest at most 64 levels.

Authentication: send \`Authorization: Bearer <token>\` with a user access token from
\`POST /api/auth/login\`, the hub's \`AGENT_TOKEN\` (or a JWT signed with it), or an agent key.
Agent-or-user and admin routes also accept \`?token=\`.`;

/**
 * Every operation that takes the bearer scheme also takes the single sign-on scheme: the token Swagger UI
 * gets through it is a bearer token of the hub, so "Authorize → oidc" works wherever "bearer" does.
 */
function withSingleSignOn(document: OpenAPIObject, enabled: boolean): OpenAPIObject {
  if (!enabled) {
    return document;
  }
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as OperationObject[]) {
      if (operation.security?.some((requirement) => BEARER_SCHEME in requirement)) {
        operation.security.push({ [OIDC_SCHEME]: [] });
      }
    }
  }
  return document;
}

/** Swagger UI at `/api/docs`, the OpenAPI 3 document at `/api/docs-json`. */
export function configureOpenApi(app: INestApplication): void {
  const { oidc } = app.get(AppConfig);
  const builder = new DocumentBuilder()
    .setTitle('Ananta Hub API')
    .setDescription(DESCRIPTION)
    .setVersion('1.0')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description:
          'User access token, personal access token (pat_…), AGENT_TOKEN or agent key (and METRICS_TOKEN for GET /api/metrics). Tokens and agent keys need the scope an operation names in x-required-scope.',
      },
      BEARER_SCHEME,
    )
    .addApiKey(
      { type: 'apiKey', in: 'query', name: 'token', description: 'The same credential as ?token=' },
      QUERY_TOKEN_SCHEME,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Registration-Token',
        description: 'REGISTRATION_TOKEN, for POST /api/agents/register',
      },
      REGISTRATION_TOKEN_SCHEME,
    );
  if (oidc) {
    // Swagger UI's "Authorize" through the provider: an OAuth2 code flow against the hub itself, which signs
    // the person in at the provider and hands Swagger UI the hub's own token (oidc-client-bridge.ts).
    builder.addSecurity(OIDC_SCHEME, {
      type: 'oauth2',
      description:
        'Single sign-on at the OpenID Connect provider: Authorize here (client_id swagger-ui, no secret, PKCE) signs you in at the provider and gives Swagger UI the hub’s access token.',
      flows: { authorizationCode: { authorizationUrl: OIDC_AUTHORIZE_PATH, tokenUrl: OIDC_TOKEN_PATH, scopes: {} } },
    });
  }
  const config = builder.build();
  SwaggerModule.setup(
    DOCS_PATH,
    app,
    () =>
      withSingleSignOn(
        documentEdgeResponses(
          SwaggerModule.createDocument(app, config, { extraModels: [ErrorEnvelopeDto, FieldProblemDto] }),
        ),
        Boolean(oidc),
      ),
    {
      jsonDocumentUrl: `${DOCS_PATH}-json`,
      swaggerOptions: {
        persistAuthorization: true,
        ...(oidc && {
          oauth2RedirectUrl: swaggerRedirectUri(oidc.redirectUrl),
          initOAuth: { clientId: SWAGGER_CLIENT_ID, usePkceWithAuthorizationCodeGrant: true },
        }),
      },
    },
  );
}
