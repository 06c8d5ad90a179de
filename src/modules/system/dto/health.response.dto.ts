import { ApiProperty } from '@nestjs/swagger';

export class HealthResponseDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' }) status!: 'ok';
  @ApiProperty({ example: 12.5, description: 'Seconds since this instance started' }) uptimeSeconds!: number;
}

export class ReadinessResponseDto {
  @ApiProperty({ enum: ['ready'], example: 'ready' }) status!: 'ready';
  @ApiProperty({ enum: ['postgresql', 'embedded'], example: 'postgresql' }) database!: 'postgresql' | 'embedded';
  @ApiProperty({ example: true }) migrationsApplied!: true;
}
