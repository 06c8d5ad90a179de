import type { FastifyInstance } from 'fastify';
import { ValidationFailedError } from '../../common/errors/domain-errors.js';

/** How deeply objects and arrays may nest in a JSON body; no input of the API needs more than a few levels. */
export const MAX_JSON_NESTING = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x7b, 0x5b]); // { [
const CLOSERS = new Set([0x7d, 0x5d]); // } ]

/**
 * Whether `text` nests objects/arrays deeper than `limit`, by one pass over the characters (strings skipped).
 * It runs before JSON.parse, so no recursive code (validation, transformation, masking, jsonb encoding)
 * ever sees a value deep enough to exhaust the stack. Malformed text is left for the parser to reject.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === BACKSLASH) {
        index += 1;
      } else if (char === QUOTE) {
        inString = false;
      }
    } else if (char === QUOTE) {
      inString = true;
    } else if (OPENERS.has(char)) {
      depth += 1;
      if (depth > limit) {
        return true;
      }
    } else if (CLOSERS.has(char)) {
      depth -= 1;
    }
  }
  return false;
}

/**
 * Replaces Fastify's JSON body parser with the same parser (prototype-poisoning protection, empty-body and
 * syntax errors) behind the nesting limit.
 */
export function useNestingLimitedJsonParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string; // parseAs: 'string'
    if (nestsDeeperThan(text, MAX_JSON_NESTING)) {
      done(
        new ValidationFailedError([
          { field: 'body', message: `The JSON body nests objects or arrays deeper than ${MAX_JSON_NESTING} levels` },
        ]),
        undefined,
      );
      return;
    }
    void parse(request, text, done);
  });
}
