// Reads an HTTP answer's body (fetch's Response) up to a limit, cancelling the transfer as soon as it goes beyond.

/**
 * The body's bytes, or undefined when it is (or declares itself) longer than `limitBytes`; the transfer is then cancelled.
 * @example const body = await readLimitedBody(await fetch(url), 64 * 1024); if (body === undefined) throw tooLarge();
 */
export async function readLimitedBody(response: Response, limitBytes: number): Promise<Uint8Array | undefined> {
  if (Number(response.headers.get('content-length') ?? NaN) > limitBytes) {
    await response.body?.cancel();
    return undefined;
  }
  if (response.body === null) return new Uint8Array(0);
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    total += read.value.length;
    if (total > limitBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks, total);
}
