// The Grants page.
import { PlaceholderPage } from './placeholder-page.tsx';

export function GrantsPage() {
  return <PlaceholderPage title="Grants" />;
}
