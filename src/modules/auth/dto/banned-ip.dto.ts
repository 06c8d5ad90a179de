import { ApiProperty } from '@nestjs/swagger';
import { IsIP } from 'class-validator';

export class BannedIpDto {
  @ApiProperty({ example: '203.0.113.7' }) ip!: string;
  @ApiProperty({ example: '50 failed attempts in 3600 s' }) reason!: string;
  @ApiProperty({ example: '2026-11-26T10:00:00.000Z' }) bannedUntil!: string;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) createdAt!: string;
}

export class IpParamDto {
  @ApiProperty({ example: '203.0.113.7' }) @IsIP() ip!: string;
}

export class AgentTokenDto {
  @ApiProperty({ description: 'The new AGENT_TOKEN; shown only now', example: 'Zm9v…' }) token!: string;
}
