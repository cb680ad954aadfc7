// Text from the server made safe for a terminal: control characters (escape sequences, carriage returns) are shown, never obeyed.

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * One line of untrusted text: every control or bidi-override character becomes a visible `\u{..}` escape.
 * @example safeText('ok\u001b[2J') // 'ok\\u{1b}[2J'
 */
export function safeText(text: string): string {
  return text.replace(CONTROL, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}

/** Cuts `text` to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Several lines of untrusted text: line breaks kept, everything else made safe as in `safeText`.
 * @example safeLines('a\nb\u001b') // 'a\nb\\u{1b}'
 */
export function safeLines(text: string): string {
  return text.split('\n').map(safeText).join('\n');
}

const segmenter = new Intl.Segmenter();

/** The user-perceived characters of `text` (an emoji with modifiers counts once). */
export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}
