// The /api plugin: zod schemas (validation and OpenAPI 3.1), rate limits, docs, and the authenticated route modules.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../shared/app-error.ts';
import { installAuthentication, type Authenticator } from './api-auth.ts';

/** The instance route modules get: zod-typed, every route declaring its `auth` (public, or the roles and token scopes it needs). */
export type ApiInstance = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/**
 * A route module: registers its routes on the /api instance (paths relative to /api, e.g. `/v1/events`).
 * @example const routes: ApiRoutes = (api) => { api.get('/v1/things', { auth: { roles: ['admin'], scopes: ['admin'] }, schema }, handler); };
 */
export type ApiRoutes = (api: ApiInstance) => void | Promise<void>;

export interface ApiOptions {
  /** Undefined: every route that is not public answers 401. */
  readonly authenticator: Authenticator | undefined;
  readonly routes: readonly ApiRoutes[];
  /** Requests a minute from one client address to any /api route; a route may set a stricter `config.rateLimit`. */
  readonly requestsPerMinute?: number;
}

export const API_PREFIX = '/api';
export const DEFAULT_REQUESTS_PER_MINUTE = 1200;
const API_VERSION = '1';
/** zod types JSON Schema cannot express (custom checks) appear as "any" in the document instead of failing it. */
const zodToJsonConfig = { unrepresentable: 'any' } as const;

async function registerRateLimit(app: FastifyInstance, requestsPerMinute: number): Promise<void> {
  const { default: rateLimit } = await import('@fastify/rate-limit');
  await app.register(rateLimit, {
    global: true,
    max: requestsPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', `too many requests: at most ${context.max} in this window from one address; try again in ${context.after}`),
  });
}

async function registerDocs(app: FastifyInstance): Promise<void> {
  const zod = await import('fastify-type-provider-zod');
  const { default: swagger } = await import('@fastify/swagger');
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Writ API',
        version: API_VERSION,
        description: 'Just-in-time access and a tamper-evident audit log. Errors are application/problem+json (RFC 9457).',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token' } } },
      security: [{ bearerAuth: [] }],
    },
    transform: zod.createJsonSchemaTransform({ zodToJsonConfig }),
    transformObject: zod.createJsonSchemaTransformObject({ zodToJsonConfig }),
  });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  const { default: swaggerUi } = await import('@fastify/swagger-ui');
  // staticCSP gives the docs pages their own policy instead of the API's "default-src 'none'".
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
}

/**
 * The /api plugin; register it with `{ prefix: API_PREFIX }`. Its libraries load only when the server starts.
 * @example app.register(apiPlugin, { prefix: API_PREFIX, authenticator, routes: [eventRoutes(deps)] })
 */
export async function apiPlugin(app: FastifyInstance, options: ApiOptions): Promise<void> {
  const zod = await import('fastify-type-provider-zod');
  app.setValidatorCompiler(zod.validatorCompiler);
  app.setSerializerCompiler(zod.serializerCompiler);
  await registerRateLimit(app, options.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE);
  await registerDocs(app);
  await app.register(async (secured) => {
    installAuthentication(secured, options.authenticator);
    // The document says what each route needs: no security when public, else the token scopes (OpenAPI 3.1 lets a bearer
    // scheme list them) and, as x-writ-roles, the roles; an empty scope list means any token.
    secured.addHook('onRoute', (route) => {
      const auth = route.config?.auth;
      if (auth === undefined) return;
      if (auth === 'public') route.schema = { ...route.schema, security: [] };
      else route.schema = { ...route.schema, security: [{ bearerAuth: auth.scopes === 'any' ? [] : [...auth.scopes] }], ...(auth.roles === undefined ? {} : { 'x-writ-roles': [...auth.roles] }) };
    });
    for (const routes of options.routes) await routes(secured.withTypeProvider<ZodTypeProvider>());
  });
}
