// Sign in: says when a session ended, changes a one-time password when required, and returns where you were.
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type SyntheticEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import { messageOf } from '../api/api-error.ts';
import { api } from '../api/client.ts';
import { safeReturnPath } from '../auth/return-path.ts';
import { useSession } from '../auth/session-context.tsx';

export function SignInPage() {
  const session = useSession();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(useSearch());
  const next = safeReturnPath(params.get('next'));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [mustChange, setMustChange] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const [done, setDone] = useState(false);
  // Leave only once the session says signed-in: navigating first would meet the gate still thinking we are signed out.
  useEffect(() => {
    if (done && session.status === 'signed-in') navigate(next, { replace: true });
  }, [done, session.status, navigate, next]);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      if (mustChange) {
        await api('post', '/api/v1/auth/password', { body: { currentPassword: password, newPassword } });
        await session.signIn(username, newPassword);
      } else {
        const user = await session.signIn(username, password);
        if (user.mustChangePassword) {
          setMustChange(true);
          return;
        }
      }
      setDone(true);
    } catch (error) {
      setFailure(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="lg" w="100%" maw={400}>
        <form onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
          <Stack>
            <Title order={1} size="h2" id="sign-in-title">Sign in to Writ</Title>
            {params.get('expired') === '1' && !mustChange ? (
              <Alert color="yellow" title="Your session has ended" role="status">
                Sign in again to continue{next === '/' ? '.' : <> where you were: <Text span ff="monospace">{next}</Text></>}
              </Alert>
            ) : null}
            {mustChange ? <Alert color="blue" title="Choose a new password">Your password was set by an administrator: choose your own to continue.</Alert> : null}
            {failure === undefined ? null : <Alert color="red" role="alert">{failure}</Alert>}
            <TextInput label="Username" name="username" autoComplete="username" required value={username} onChange={(e) => { setUsername(e.currentTarget.value); }} disabled={mustChange} data-autofocus />
            <PasswordInput label={mustChange ? 'Current password' : 'Password'} name="password" autoComplete="current-password" required value={password} onChange={(e) => { setPassword(e.currentTarget.value); }} disabled={mustChange} />
            {mustChange ? <PasswordInput label="New password" name="new-password" autoComplete="new-password" required minLength={12} value={newPassword} onChange={(e) => { setNewPassword(e.currentTarget.value); }} /> : null}
            <Button type="submit" loading={busy}>{mustChange ? 'Change password and sign in' : 'Sign in'}</Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
