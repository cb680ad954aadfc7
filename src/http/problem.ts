// Errors as application/problem+json (RFC 9457), from one code table; unknown failures never leak their text.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatJsonPath } from '../events/json-path.ts';
import { AppError, isAppError, type AppErrorCode } from '../shared/app-error.ts';

export const httpStatusOf: Readonly<Record<AppErrorCode, number>> = {
  invalid_input: 400,
  invalid_event: 400,
  event_too_large: 413,
  not_found: 404,
  gone: 410,
  unauthorized: 401,
  forbidden: 403,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  config_invalid: 500,
  key_mismatch: 500,
  ledger_inconsistent: 500,
  unavailable: 503,
  internal: 500,
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const AUTH_CHALLENGE = 'Bearer realm="writ"';
const SHOWN_ISSUES = 5;

/** One invalid field of a request: `path` is e.g. `querystring.limit` or `body.events[3].type`. */
export interface RequestIssue {
  readonly path: string;
  readonly message: string;
}

/** A Fastify schema validation failure (zod through fastify-type-provider-zod, or Ajv). */
interface ValidationFailure {
  readonly validation: readonly { readonly instancePath: string; readonly message?: string | undefined }[];
  readonly validationContext?: string | undefined;
}

function isValidationFailure(error: FastifyError): error is FastifyError & ValidationFailure {
  return Array.isArray(error.validation);
}

function pathOf(context: string | undefined, instancePath: string): string {
  // JSON Pointer; fastify-type-provider-zod writes the whole value as "/".
  const keys = (instancePath === '/' ? '' : instancePath)
    .split('/')
    .slice(1)
    .map((key) => (/^\d+$/.test(key) ? Number(key) : key.replaceAll('~1', '/').replaceAll('~0', '~')));
  return formatJsonPath([context ?? 'request', ...keys]);
}

/** The 400 of a schema validation failure, naming each field and what is wrong with it. */
function validationError(error: ValidationFailure): AppError {
  const issues: RequestIssue[] = error.validation.map((issue) => ({
    path: pathOf(error.validationContext, issue.instancePath),
    message: issue.message ?? 'is not valid',
  }));
  const shown = issues.slice(0, SHOWN_ISSUES).map((issue) => `${issue.path}: ${issue.message}`);
  const more = issues.length > SHOWN_ISSUES ? ` (and ${issues.length - SHOWN_ISSUES} more)` : '';
  return new AppError('invalid_input', `invalid request: ${shown.join('; ')}${more}`, { details: { issues } });
}

/** Fastify's own client errors (bad JSON, body too large, ...) carry a status and a message meant for the client. */
function clientError(error: FastifyError): AppError {
  const statusCode = error.statusCode ?? 400;
  if (statusCode === 404) return new AppError('not_found', error.message);
  if (statusCode === 413) return new AppError('payload_too_large', `the request body is too large: ${error.message}`);
  if (statusCode === 429) return new AppError('rate_limited', error.message);
  return new AppError('invalid_input', error.message);
}

/** Maps anything thrown to an AppError: validation and client errors keep their words, the rest becomes `internal`. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof Error) {
    const fastifyError = error as FastifyError;
    if (isValidationFailure(fastifyError)) return validationError(fastifyError);
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) return clientError(fastifyError);
  }
  return new AppError('internal', 'internal error', { cause: error });
}

/** The problem+json body of an error; details (field issues, positions) only for what the client may see. */
export function problemOf(error: AppError, request: FastifyRequest): Record<string, unknown> {
  const status = httpStatusOf[error.code];
  const exposed = status < 500 || error.code === 'unavailable';
  return {
    ...(exposed ? error.details : undefined),
    type: `urn:writ:problem:${error.code}`,
    title: error.code,
    status,
    detail: exposed ? error.message : 'an internal error occurred; the server log has the details under this request id',
    instance: request.url,
    requestId: request.id,
  };
}

/** Sends `error` as problem+json with its status (and the authentication challenge on 401). */
export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply {
  const status = httpStatusOf[error.code];
  if (status === 401) void reply.header('www-authenticate', AUTH_CHALLENGE);
  return reply.status(status).type(PROBLEM_CONTENT_TYPE).send(problemOf(error, request));
}

/** Sends every error as problem+json; causes of server errors go to the log under the request id, never to the client. */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error);
    if (httpStatusOf[appError.code] >= 500) request.log.error({ err: error }, 'request failed');
    void sendProblem(reply, request, appError);
  });
  app.setNotFoundHandler((request, reply) => {
    void sendProblem(reply, request, new AppError('not_found', `no such resource: ${request.method} ${request.url}`));
  });
}
