import { registerDecorator, type ValidationOptions } from 'class-validator';

/** The value, serialised as JSON, is at most `bytes` long: bounds free-form objects stored as jsonb. */
export function MaxJsonBytes(bytes: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol): void => {
    registerDecorator({
      name: 'maxJsonBytes',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property must be at most ${bytes} bytes as JSON`, ...options },
      validator: {
        validate: (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') <= bytes,
      },
    });
  };
}
