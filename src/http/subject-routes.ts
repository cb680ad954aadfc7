// The data-subject API: erase the personal data of one subject's events (admin, with a reason).
import { z } from 'zod';
import { eraseSubject, type SubjectErasureDeps } from '../identity/subject-erasure.ts';
import { AppError } from '../shared/app-error.ts';
import { ADMINS } from './api-auth.ts';
import type { ApiRoutes } from './api-plugin.ts';
import type { IdentityAuthenticator } from './identity-authenticator.ts';

export interface SubjectRouteDeps {
  readonly erasure: SubjectErasureDeps;
  readonly authenticator: IdentityAuthenticator;
}

const subjectParams = z.object({ id: z.string().min(1).max(128) });
const eraseBody = z.object({ reason: z.string().min(1).max(1024) });
const erasureAnswer = z.object({ subjectId: z.string(), erasedCount: z.number().int() });

/** @example apiPlugin(app, { routes: [subjectRoutes({ erasure, authenticator })] }) */
export function subjectRoutes(deps: SubjectRouteDeps): ApiRoutes {
  return (api) => {
    api.post(
      '/v1/subjects/:id/erase',
      { auth: ADMINS, schema: { tags: ['ledger'], summary: "Erase the personal data of a subject's events (admin, with a reason); entries and proofs stay valid", params: subjectParams, body: eraseBody, response: { 200: erasureAnswer } } },
      async (request) => {
        if (request.principal === undefined) throw new AppError('unauthorized', 'this needs credentials');
        return eraseSubject(deps.erasure, deps.authenticator.principalOf(request.principal), request.params.id, request.body.reason);
      },
    );
  };
}
