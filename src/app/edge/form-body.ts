import type { FastifyInstance } from 'fastify';

/** What Fastify itself answers for a media type it has no parser for (the error filter maps it to 415). */
const unsupportedMediaType = (): Error =>
  Object.assign(new Error('Unsupported Media Type: application/x-www-form-urlencoded'), {
    statusCode: 415,
    code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
  });

/**
 * Form bodies (`application/x-www-form-urlencoded`, what OAuth2 clients send to a token endpoint) on the
 * given paths only, parsed with the platform's URLSearchParams into a flat object of strings; everywhere else
 * they stay refused with 415, as before. A repeated field keeps its last value.
 */
export function useFormBodyOn(fastify: FastifyInstance, paths: readonly string[]): void {
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    if (!paths.includes(request.url.split('?')[0])) {
      done(unsupportedMediaType(), undefined);
      return;
    }
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}
