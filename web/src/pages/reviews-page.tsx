// The Reviews page.
import { PlaceholderPage } from './placeholder-page.tsx';

export function ReviewsPage() {
  return <PlaceholderPage title="Reviews" />;
}
