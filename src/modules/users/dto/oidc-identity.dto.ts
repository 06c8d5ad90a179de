import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUrl, Length, MaxLength } from 'class-validator';

export class OidcIdentityDto {
  @ApiProperty({ example: 'https://login.example.com/realms/ananta', description: 'The provider’s issuer URL' })
  @IsString()
  @MaxLength(512)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['https', 'http'] })
  issuer!: string;

  @ApiProperty({ example: '248289761001', description: 'The `sub` claim the provider gives this person' })
  @IsString()
  @Length(1, 255)
  subject!: string;
}

export class OidcIdentityResponseDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ example: 'https://login.example.com/realms/ananta' }) issuer!: string;
  @ApiProperty({ example: '248289761001' }) subject!: string;
}
