// The Request access page.
import { PlaceholderPage } from './placeholder-page.tsx';

export function RequestPage() {
  return <PlaceholderPage title="Request access" />;
}
