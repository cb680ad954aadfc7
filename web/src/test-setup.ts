// Vitest set-up: jsdom lacks what Mantine asks of a browser (matchMedia, ResizeObserver, document.fonts); cleanup after each test.
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Pages load lazily and fetch first: on a busy machine that takes more than the default second to appear.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
});

const browser = (typeof window === 'undefined' ? globalThis : window) as unknown as Record<string, unknown>;
if (typeof browser.matchMedia !== 'function') {
  browser.matchMedia = (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  });
}
if (typeof browser.ResizeObserver !== 'function') {
  browser.ResizeObserver = class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
}
// Mantine's autosizing Textarea listens for web fonts loading.
if (typeof document !== 'undefined' && !('fonts' in document)) {
  Object.defineProperty(document, 'fonts', { value: { addEventListener: () => undefined, removeEventListener: () => undefined, ready: Promise.resolve() } });
}
