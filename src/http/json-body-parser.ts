// The one JSON body parser: strict UTF-8 (invalid bytes are a 400, never silently U+FFFD), then Fastify's own safe JSON.parse.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../shared/app-error.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Replaces Fastify's application/json parser (which decodes bytes leniently) on `app` and its children: a body that is
 * not valid UTF-8 (RFC 8259 §8.1) is refused as `invalid_input`; the rest, empty bodies and `__proto__` keys included,
 * is judged by the default parser. Route body limits apply as before.
 * @example installJsonBodyParser(app)
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      // parseAs 'buffer' always gives bytes; the type also allows a string.
      text = typeof body === 'string' ? body : strictUtf8.decode(body);
    } catch {
      done(new AppError('invalid_input', 'the request body is not valid UTF-8: JSON must be sent as UTF-8 text'), undefined);
      return;
    }
    // The default parser answers through done (synchronously); its type also allows a promise.
    void parseJson(request, text, done);
  });
}
