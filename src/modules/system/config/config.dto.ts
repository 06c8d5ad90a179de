import { ApiProperty } from '@nestjs/swagger';
import { Matches, ValidateBy } from 'class-validator';
import { ANY_JSON } from '../../../common/http/api-envelope.dto.js';
import { MaxJsonBytes } from '../../../common/http/byte-size.validators.js';

export const CONFIG_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
export const MAX_CONFIG_VALUE_BYTES = 64 * 1024;

export class ConfigKeyParamDto {
  @ApiProperty({ example: 'template_variables_allowlist', pattern: CONFIG_KEY_PATTERN.source })
  @Matches(CONFIG_KEY_PATTERN, { message: 'key must be 1–128 letters, digits, ".", "_" or "-"' })
  key!: string;
}

export class PutConfigDto {
  @ApiProperty({ ...ANY_JSON, description: 'Any JSON value, at most 64 KiB', example: ['team_goal', 'task_title'] })
  // null is a value like any other; only a missing `value` is refused.
  @ValidateBy({
    name: 'isPresent',
    validator: { validate: (value) => value !== undefined, defaultMessage: () => 'value is required' },
  })
  @MaxJsonBytes(MAX_CONFIG_VALUE_BYTES, { message: 'value must be at most 64 KiB as JSON' })
  value!: unknown;
}

export class ConfigEntryDto {
  @ApiProperty({ example: 'template_variables_allowlist' }) key!: string;
  @ApiProperty({ ...ANY_JSON, description: 'Masked ("***") under keys that look like secrets' }) value!: unknown;
  @ApiProperty() updatedAt!: string;
}
