// Admin panels' failure state: a 403 says who may see this instead of a raw error.
import { Alert } from '@mantine/core';
import { isApiError } from '../api/api-error.ts';
import { LoadError } from '../components/page-states.tsx';

export function AdminLoadError({ error, retry }: { readonly error: unknown; readonly retry?: () => void }) {
  if (isApiError(error, 403)) return <Alert color="orange" role="alert" title="Administrators only">{error.message} Ask an administrator if you need this.</Alert>;
  return <LoadError error={error} {...(retry === undefined ? {} : { retry })} />;
}
