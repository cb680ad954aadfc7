// The Ledger status page.
import { PlaceholderPage } from './placeholder-page.tsx';

export function LedgerPage() {
  return <PlaceholderPage title="Ledger status" />;
}
