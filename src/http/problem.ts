// Errors as application/problem+json (RFC 9457), from one code table; unknown failures never leak their text.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError, type AppErrorCode } from '../shared/app-error.ts';

export const httpStatusOf: Readonly<Record<AppErrorCode, number>> = {
  invalid_input: 400,
  invalid_event: 400,
  event_too_large: 413,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  conflict: 409,
  config_invalid: 500,
  key_mismatch: 500,
  ledger_inconsistent: 500,
  unavailable: 503,
  internal: 500,
};

function problemOf(error: AppError, request: FastifyRequest): Record<string, unknown> {
  const status = httpStatusOf[error.code];
  const exposed = status < 500 || error.code === 'unavailable';
  return {
    type: `urn:writ:problem:${error.code}`,
    title: error.code,
    status,
    detail: exposed ? error.message : 'an internal error occurred; the server log has the details under this request id',
    instance: request.url,
    requestId: request.id,
  };
}

/** Sends every error as problem+json. */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let appError: AppError;
    if (isAppError(error)) appError = error;
    else if (error.validation !== undefined || (error.statusCode !== undefined && error.statusCode < 500)) {
      appError = new AppError(error.statusCode === 404 ? 'not_found' : 'invalid_input', error.message);
    } else appError = new AppError('internal', 'internal error', { cause: error });
    if (httpStatusOf[appError.code] >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(httpStatusOf[appError.code]).type('application/problem+json').send(problemOf(appError, request));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('not_found', `no such resource: ${request.method} ${request.url}`);
    void reply.status(404).type('application/problem+json').send(problemOf(error, request));
  });
}
