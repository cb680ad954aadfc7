// Small waits and checks the gateway's client tests share.
import { setTimeout as delay } from 'node:timers/promises';

/** The SQLSTATE a client's failed call carries, or undefined when it succeeded. */
export async function sqlStateOf(work: PromiseLike<unknown>): Promise<string | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

/** Polls until `read` gives a value; a bounded wait so a broken gateway fails the test instead of hanging it. */
export async function eventually<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const value = await read();
    if (value !== undefined) return value;
    await delay(50);
  }
  throw new Error(`gave up waiting for ${what}`);
}
