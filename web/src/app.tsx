// Providers (Mantine, TanStack Query, session) and the routes; every page is loaded lazily to keep the first load small.
import { createTheme, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState, type ComponentType, type LazyExoticComponent } from 'react';
import { Route, Switch, useLocation, useSearch } from 'wouter';
import { isApiError } from './api/api-error.ts';
import { signInPathFor } from './auth/return-path.ts';
import { SessionProvider, useSession } from './auth/session-context.tsx';
import { Loading } from './components/page-states.tsx';
import { AppLayout } from './layout/app-layout.tsx';

function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K): LazyExoticComponent<ComponentType> {
  return lazy(async () => ({ default: (await load())[name] }));
}

const SignInPage = page(() => import('./pages/sign-in-page.tsx'), 'SignInPage');
const HomePage = page(() => import('./pages/home-page.tsx'), 'HomePage');
const RequestPage = page(() => import('./pages/request-page.tsx'), 'RequestPage');
const ReviewsPage = page(() => import('./pages/reviews-page.tsx'), 'ReviewsPage');
const GrantsPage = page(() => import('./pages/grants-page.tsx'), 'GrantsPage');
const AuditPage = page(() => import('./pages/audit-page.tsx'), 'AuditPage');
const SessionsPage = page(() => import('./pages/sessions-page.tsx'), 'SessionsPage');
const LedgerPage = page(() => import('./pages/ledger-page.tsx'), 'LedgerPage');
const AdminPage = page(() => import('./pages/admin-page.tsx'), 'AdminPage');
const NotFoundPage = page(() => import('./pages/not-found-page.tsx'), 'NotFoundPage');

const theme = createTheme({ primaryColor: 'indigo', defaultRadius: 'sm' });

export function createDashboardQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // A 401 or 403 will not get better by asking again.
        retry: (failures, error) => failures < 2 && !isApiError(error, 401) && !isApiError(error, 403) && !isApiError(error, 404),
      },
    },
  });
}

function SignedInRoutes() {
  return (
    <AppLayout>
      <Suspense fallback={<Loading />}>
        <Switch>
          <Route path="/" component={HomePage} />
          <Route path="/request" component={RequestPage} />
          <Route path="/reviews" component={ReviewsPage} />
          <Route path="/grants" component={GrantsPage} />
          <Route path="/audit" component={AuditPage} />
          <Route path="/sessions" component={SessionsPage} />
          <Route path="/ledger" component={LedgerPage} />
          <Route path="/admin" component={AdminPage} />
          <Route component={NotFoundPage} />
        </Switch>
      </Suspense>
    </AppLayout>
  );
}

/** Signed out on any page but sign-in: go there, remembering where we were. */
function Gate() {
  const session = useSession();
  const [location, navigate] = useLocation();
  const search = useSearch();
  const onSignIn = location === '/sign-in';
  useEffect(() => {
    if (session.status === 'signed-out' && !onSignIn) navigate(signInPathFor(`${location}${search === '' ? '' : `?${search}`}`, session.expired), { replace: true });
  }, [session.status, session.expired, onSignIn, location, search, navigate]);
  if (session.status === 'loading') return <Loading label="Checking your session…" />;
  if (onSignIn || session.status === 'signed-out') {
    return (
      <Suspense fallback={<Loading />}>
        <SignInPage />
      </Suspense>
    );
  }
  return <SignedInRoutes />;
}

export function App({ queryClient }: { readonly queryClient?: QueryClient }) {
  const [client] = useState(() => queryClient ?? createDashboardQueryClient());
  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <QueryClientProvider client={client}>
        <SessionProvider>
          <Gate />
        </SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
