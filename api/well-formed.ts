/**
 * Well-formed Unicode (RFC 8259 §8.2): JSON may carry a lone surrogate as an escape ("\ud800"), which
 * MySQL's utf8mb4 stores as invalid bytes and reads back as U+FFFD. Every string of a request (keys
 * included) is checked before a handler sees it; each offender is named by JSON pointer.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** JSON pointers of the strings (or keys) in `value` that hold a lone surrogate */
export function illFormedText(value: unknown, pointer = '', out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) out.push(pointer);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      illFormedText(v, `${pointer}/${i}`, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = `${pointer}/${escapePointer(k)}`;
      if (LONE_SURROGATE.test(k)) out.push(p);
      illFormedText(v, p, out);
    }
  }
  return out;
}
