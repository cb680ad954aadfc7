// Vitest set-up: jsdom lacks what Mantine asks of a browser (matchMedia, ResizeObserver); cleanup after each test.
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
});

const browser = globalThis as unknown as Record<string, unknown>;
if (!('matchMedia' in browser)) {
  browser.matchMedia = (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  });
}
if (!('ResizeObserver' in browser)) {
  browser.ResizeObserver = class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
}
