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

// `\uD800`–`\uDFFF` escapes: only text containing one can parse into a string with an unpaired surrogate.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
// With the u flag a surrogate pair is one code point, so only an unpaired surrogate is category Cs.
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * Whether a parsed JSON value holds a string (or key) with an unpaired UTF-16 surrogate (`"\ud800"`): valid
 * JSON, but not Unicode text, which PostgreSQL refuses in jsonb and silently replaces in text columns. The
 * value nests at most MAX_JSON_NESTING levels, so the recursion is bounded.
 */
export function holdsUnpairedSurrogate(value: unknown): boolean {
  if (typeof value === 'string') {
    return UNPAIRED_SURROGATE.test(value);
  }
  if (Array.isArray(value)) {
    return value.some(holdsUnpairedSurrogate);
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => UNPAIRED_SURROGATE.test(key) || holdsUnpairedSurrogate(item));
  }
  return false;
}

const refused = (message: string): ValidationFailedError => new ValidationFailedError([{ field: 'body', message }]);

/**
 * Replaces Fastify's JSON body parser with the same parser (prototype-poisoning protection, empty-body and
 * syntax errors) behind the nesting limit, refusing strings that are not Unicode text.
 */
export function useNestingLimitedJsonParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string; // parseAs: 'string'
    if (nestsDeeperThan(text, MAX_JSON_NESTING)) {
      done(refused(`The JSON body nests objects or arrays deeper than ${MAX_JSON_NESTING} levels`), undefined);
      return;
    }
    if (!SURROGATE_ESCAPE.test(text)) {
      void parse(request, text, done);
      return;
    }
    void parse(request, text, (error, value) => {
      if (!error && holdsUnpairedSurrogate(value)) {
        done(refused('The JSON body holds an unpaired UTF-16 surrogate (\\uD800–\\uDFFF escape)'), undefined);
        return;
      }
      done(error, value);
    });
  });
}
