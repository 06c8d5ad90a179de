import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

/** `/:id` path parameters: a malformed id is a 400, never a database error. */
export class IdParamDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}
