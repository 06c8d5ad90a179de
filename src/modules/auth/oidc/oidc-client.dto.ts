import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { SWAGGER_CLIENT_ID } from './oidc-client-bridge.js';

// OAuth2's own parameter names (RFC 6749, RFC 7636), as Swagger UI sends them.

/** RFC 7636: 43 characters of base64url for an S256 challenge; 43–128 unreserved characters for a verifier. */
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** GET /api/auth/oidc/authorize: an authorization request of the hub's one OAuth2 client, Swagger UI. */
export class ClientAuthorizeQueryDto {
  @ApiProperty({ enum: ['code'] }) @IsIn(['code']) response_type!: 'code';

  @ApiProperty({ enum: [SWAGGER_CLIENT_ID] }) @IsIn([SWAGGER_CLIENT_ID]) client_id!: string;

  @ApiProperty({ description: "Swagger UI's redirect page on this hub (/api/docs/oauth2-redirect.html); nothing else" })
  @IsString()
  @MaxLength(2048)
  redirect_uri!: string;

  @ApiProperty({ description: "Swagger UI's state, returned with the code" })
  @IsString()
  @Length(1, 512)
  state!: string;

  @ApiProperty({ description: 'PKCE challenge (S256, base64url)' })
  @Matches(CODE_CHALLENGE, { message: 'code_challenge must be an S256 challenge (43 base64url characters)' })
  code_challenge!: string;

  @ApiProperty({ enum: ['S256'] }) @IsIn(['S256']) code_challenge_method!: 'S256';

  @ApiPropertyOptional({ description: 'Ignored: a hub token always carries its owner’s rights' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  scope?: string;
}

/** POST /api/auth/oidc/token: the code exchange, form-encoded (as OAuth2 clients send it) or JSON. */
export class ClientTokenRequestDto {
  @ApiProperty({ enum: ['authorization_code'] }) @IsIn(['authorization_code']) grant_type!: 'authorization_code';

  @ApiProperty({ enum: [SWAGGER_CLIENT_ID] }) @IsIn([SWAGGER_CLIENT_ID]) client_id!: string;

  @ApiProperty() @IsString() @Length(1, 256) code!: string;

  @ApiProperty() @IsString() @MaxLength(2048) redirect_uri!: string;

  @ApiProperty({ description: 'The PKCE verifier of the challenge sent to /authorize' })
  @Matches(CODE_VERIFIER, { message: 'code_verifier must be 43–128 unreserved characters' })
  code_verifier!: string;
}

/** The token answer in OAuth2's shape (RFC 6749 section 5.1), which OAuth2 clients read; not enveloped. */
export class ClientTokenResponseDto {
  @ApiProperty({ description: "The hub's access token (a user access JWT)" }) access_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires' }) expires_in!: number;
  @ApiProperty({ description: "The hub's refresh token (POST /api/auth/refresh)" }) refresh_token!: string;
}
