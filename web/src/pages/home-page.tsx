// The Home page.
import { PlaceholderPage } from './placeholder-page.tsx';

export function HomePage() {
  return <PlaceholderPage title="Home" />;
}
