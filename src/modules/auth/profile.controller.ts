import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx, UserOnly } from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../common/http/api-responses.decorators.js';
import {
  BackupCodesDto,
  ChangePasswordDto,
  MfaCodeDto,
  MfaReauthDto,
  MfaSetupDto,
  ProfileDto,
} from './dto/profile.dto.js';
import { ProfileService } from './profile.service.js';

const REAUTH_FAILED: [HttpStatus, string] = [
  HttpStatus.UNAUTHORIZED,
  'Wrong password or code (counts towards the lockout)',
];
// Password re-checks share the per-address failure counter with login.
const REAUTH_THROTTLED: [HttpStatus, string] = [
  HttpStatus.TOO_MANY_REQUESTS,
  'rate_limited: too many failed password checks from this address, or the address is banned (Retry-After)',
];

@ApiTags('Profile')
@Controller('profile')
export class ProfileController {
  constructor(private readonly profile: ProfileService) {}

  @Get()
  @UserOnly()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiSuccess(ProfileDto)
  get(@Ctx() ctx: RequestContext): Promise<ProfileDto> {
    return this.profile.get(ctx);
  }

  @Post('password')
  @UserOnly()
  @NoContent()
  @ApiOperation({ summary: 'Change the password (policy and history apply; ends all sessions, log in again)' })
  @ApiErrors(REAUTH_FAILED, REAUTH_THROTTLED, [
    HttpStatus.BAD_REQUEST,
    'The new password breaks the policy or was used before',
  ])
  changePassword(@Ctx() ctx: RequestContext, @Body() dto: ChangePasswordDto): Promise<void> {
    return this.profile.changePassword(ctx, dto);
  }

  @Post('mfa/setup')
  @UserOnly()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Start MFA enrolment: a new TOTP secret, its otpauth:// URI and a QR code' })
  @ApiSuccess(MfaSetupDto)
  @ApiErrors([HttpStatus.CONFLICT, 'mfa_already_enabled'])
  setup(@Ctx() ctx: RequestContext): Promise<MfaSetupDto> {
    return this.profile.setupMfa(ctx);
  }

  @Post('mfa/enable')
  @UserOnly()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Confirm enrolment with a current code; returns single-use backup codes (shown once)' })
  @ApiSuccess(BackupCodesDto)
  @ApiErrors([HttpStatus.BAD_REQUEST, 'Invalid code'], [HttpStatus.CONFLICT, 'mfa_not_set_up or mfa_already_enabled'])
  enable(@Ctx() ctx: RequestContext, @Body() dto: MfaCodeDto): Promise<BackupCodesDto> {
    return this.profile.enableMfa(ctx, dto.code);
  }

  @Post('mfa/disable')
  @UserOnly()
  @NoContent()
  @ApiOperation({ summary: 'Turn MFA off (password and a current code required)' })
  @ApiErrors(REAUTH_FAILED, REAUTH_THROTTLED, [HttpStatus.CONFLICT, 'mfa_not_enabled'])
  disable(@Ctx() ctx: RequestContext, @Body() dto: MfaReauthDto): Promise<void> {
    return this.profile.disableMfa(ctx, dto.password, dto.code);
  }

  @Post('mfa/backup-codes')
  @UserOnly()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Replace the backup codes (password and a current code required)' })
  @ApiSuccess(BackupCodesDto)
  @ApiErrors(REAUTH_FAILED, REAUTH_THROTTLED, [HttpStatus.CONFLICT, 'mfa_not_enabled'])
  regenerate(@Ctx() ctx: RequestContext, @Body() dto: MfaReauthDto): Promise<BackupCodesDto> {
    return this.profile.regenerateBackupCodes(ctx, dto.password, dto.code);
  }
}
