// Field paths as people read them in error messages: `actor.name`, `targets[0].id`, `data["a b"]`.

export type JsonPath = readonly PropertyKey[];

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Formats a zod-style path; the empty path is `root`.
 * @example formatJsonPath(['targets', 0, 'id']) // 'targets[0].id'
 */
export function formatJsonPath(path: JsonPath, root = 'event'): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text === '' ? root : text;
}
