// Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line.

export type Line =
  | { readonly kind: 'line'; readonly lineNumber: number; readonly bytes: Buffer }
  | { readonly kind: 'too-long'; readonly lineNumber: number; readonly byteCount: number };

/** Yields each newline-terminated (or final) line; a line over the limit is skipped to its end and reported. */
export async function* readLines(input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let held = 0;
  let overflow = 0;
  let lineNumber = 0;
  const finish = (): Line => {
    lineNumber += 1;
    const line: Line =
      overflow > 0
        ? { kind: 'too-long', lineNumber, byteCount: held + overflow }
        : { kind: 'line', lineNumber, bytes: stripCarriageReturn(Buffer.concat(parts, held)) };
    parts = [];
    held = 0;
    overflow = 0;
    return line;
  };
  const take = (piece: Buffer): void => {
    if (overflow > 0 || held + piece.length > maxLineBytes) overflow += piece.length;
    else {
      parts.push(piece);
      held += piece.length;
    }
  };
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (let newline = buffer.indexOf(10, start); newline !== -1; newline = buffer.indexOf(10, start)) {
      take(buffer.subarray(start, newline));
      yield finish();
      start = newline + 1;
    }
    if (start < buffer.length) take(buffer.subarray(start));
  }
  if (held > 0 || overflow > 0) yield finish();
}

function stripCarriageReturn(bytes: Buffer): Buffer {
  return bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.subarray(0, bytes.length - 1) : bytes;
}
