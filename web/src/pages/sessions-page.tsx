// The Sessions page.
import { PlaceholderPage } from './placeholder-page.tsx';

export function SessionsPage() {
  return <PlaceholderPage title="Sessions" />;
}
