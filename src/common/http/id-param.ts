import { Param, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { ValidationFailedError } from '../errors/domain-errors.js';

class UuidPipe implements PipeTransform<unknown, string> {
  constructor(private readonly name: string) {}

  transform(value: unknown): string {
    if (typeof value !== 'string' || !isUUID(value)) {
      throw new ValidationFailedError([{ field: this.name, message: `${this.name} must be a UUID` }]);
    }
    return value;
  }
}

/**
 * A UUID path parameter (`/:id`): a malformed id is a 400 naming it, never a database error, and the
 * OpenAPI document says `format: uuid`. A plain check instead of a one-field DTO through the validation
 * pipe, which cost more than the rest of a primary-key read (bench/README.md, "Where the time goes").
 */
export function IdParam(name = 'id'): ParameterDecorator {
  const pipe = new UuidPipe(name);
  return (target, key, index) => {
    Param(name, pipe)(target, key, index);
    const descriptor = Object.getOwnPropertyDescriptor(target, key!)!;
    ApiParam({ name, format: 'uuid', type: String })(target, key!, descriptor);
  };
}
