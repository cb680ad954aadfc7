// The Audit log page.
import { PlaceholderPage } from './placeholder-page.tsx';

export function AuditPage() {
  return <PlaceholderPage title="Audit log" />;
}
