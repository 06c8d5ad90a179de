import { describe, expect, it } from '@jest/globals';
import type { ValidationError } from '@nestjs/common';
import { ValidationFailedError } from '../errors/domain-errors.js';
import { createValidationPipe, flattenValidationErrors } from './validation.js';

const problem = (
  property: string,
  constraints?: Record<string, string>,
  children: ValidationError[] = [],
): ValidationError => ({ property, constraints, children });

describe(flattenValidationErrors.name, () => {
  it('returns nothing for no errors', () => {
    expect(flattenValidationErrors([])).toEqual([]);
  });

  it('lists one entry per constraint of a top-level property', () => {
    const errors = [
      problem('title', { isString: 'title must be a string', maxLength: 'title must be shorter than 200 characters' }),
      problem('priority', { isIn: 'priority must be one of low, medium, high' }),
    ];

    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'title', message: 'title must be a string' },
      { field: 'title', message: 'title must be shorter than 200 characters' },
      { field: 'priority', message: 'priority must be one of low, medium, high' },
    ]);
  });

  it('joins nested object properties with dots', () => {
    const errors = [
      problem('task', undefined, [problem('variables', undefined, [problem('name', { isString: 'bad name' })])]),
    ];

    expect(flattenValidationErrors(errors)).toEqual([{ field: 'task.variables.name', message: 'bad name' }]);
  });

  it('writes array indexes in brackets', () => {
    const errors = [problem('items', undefined, [problem('0', undefined, [problem('name', { isNotEmpty: 'empty' })])])];

    expect(flattenValidationErrors(errors)).toEqual([{ field: 'items[0].name', message: 'empty' }]);
  });

  it('handles several indexes, nested arrays and an invalid element itself', () => {
    const errors = [
      problem('dependsOn', undefined, [
        problem('2', { isUuid: 'each value in dependsOn must be a UUID' }),
        problem('10', undefined, [problem('1', { isInt: 'must be an integer' })]),
      ]),
    ];

    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'dependsOn[2]', message: 'each value in dependsOn must be a UUID' },
      { field: 'dependsOn[10][1]', message: 'must be an integer' },
    ]);
  });

  it('lists the constraints of a parent before those of its children', () => {
    const errors = [problem('task', { isObject: 'task must be an object' }, [problem('title', { isString: 'x' })])];

    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'task', message: 'task must be an object' },
      { field: 'task.title', message: 'x' },
    ]);
  });

  it('treats a property that only contains digits after other text as a name, not an index', () => {
    const errors = [problem('task', undefined, [problem('v2', { isString: 'bad' })])];

    expect(flattenValidationErrors(errors)).toEqual([{ field: 'task.v2', message: 'bad' }]);
  });

  it('prefixes every field with the given parent', () => {
    expect(flattenValidationErrors([problem('name', { isString: 'bad' })], 'body')).toEqual([
      { field: 'body.name', message: 'bad' },
    ]);
  });

  it('copes with a missing children list', () => {
    const error = { property: 'name', constraints: { isString: 'bad' } } as ValidationError;

    expect(flattenValidationErrors([error])).toEqual([{ field: 'name', message: 'bad' }]);
  });
});

describe(createValidationPipe.name, () => {
  it('turns validation errors into a ValidationFailedError with flattened details', () => {
    const pipe = createValidationPipe();
    const factory = (pipe as unknown as { exceptionFactory: (errors: ValidationError[]) => unknown }).exceptionFactory;

    const error = factory([problem('items', undefined, [problem('0', { isString: 'bad' })])]);

    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).details).toEqual([{ field: 'items[0]', message: 'bad' }]);
  });
});
