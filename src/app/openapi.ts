import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  BEARER_SCHEME,
  OIDC_SCHEME,
  QUERY_TOKEN_SCHEME,
  REGISTRATION_TOKEN_SCHEME,
} from '../common/auth/auth.decorators.js';
import { AppConfig, type OidcConfig } from '../config/app-config.js';
import { ErrorEnvelopeDto, FieldProblemDto } from '../common/http/api-envelope.dto.js';
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

/** The provider's discovery document, as OpenID Connect Discovery places it under the issuer. */
const discoveryUrl = (oidc: OidcConfig): string =>
  `${oidc.issuer.href.replace(/\/$/, '')}/.well-known/openid-configuration`;

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
    // Listed in Authorize, but on no operation: the hub takes its own tokens only. A person signs in at the
    // provider through GET /api/auth/oidc/login and uses the accessToken of its answer as the bearer.
    builder.addSecurity(OIDC_SCHEME, {
      type: 'openIdConnect',
      openIdConnectUrl: discoveryUrl(oidc),
      description:
        'Single sign-on at the OpenID Connect provider. Open GET /api/auth/oidc/login in the browser; its answer carries the hub’s accessToken, to paste into "bearer".',
    });
  }
  const config = builder.build();
  SwaggerModule.setup(
    DOCS_PATH,
    app,
    () =>
      documentEdgeResponses(
        SwaggerModule.createDocument(app, config, { extraModels: [ErrorEnvelopeDto, FieldProblemDto] }),
      ),
    {
      jsonDocumentUrl: `${DOCS_PATH}-json`,
      swaggerOptions: { persistAuthorization: true },
    },
  );
}
