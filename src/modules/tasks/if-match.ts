import { ValidationFailedError } from '../../common/errors/domain-errors.js';

/** `If-Match: 3` or `If-Match: "3"` (an ETag-style quoted version); absent → no condition. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') {
    return undefined;
  }
  const match = /^\s*(?:W\/)?(?:"(\d{1,9})"|(\d{1,9}))\s*$/.exec(header);
  if (!match) {
    throw new ValidationFailedError([{ field: 'If-Match', message: 'If-Match must be the task version, e.g. "3"' }]);
  }
  return Number(match[1] ?? match[2]);
}
