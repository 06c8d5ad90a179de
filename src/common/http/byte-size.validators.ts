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

/** A string of at most `bytes` bytes in UTF-8 (limits stated in KiB are about storage, not characters). */
export function MaxUtf8Bytes(bytes: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol): void => {
    registerDecorator({
      name: 'maxUtf8Bytes',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property must be at most ${bytes} bytes (UTF-8)`, ...options },
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || Buffer.byteLength(value, 'utf8') <= bytes,
      },
    });
  };
}
