/**
 * The API of this same server (/api), with the signed-in user's token. Problems (RFC 9457) become
 * ApiProblem with their field errors, so pages can put them on the fields.
 */
export interface FieldError {
  in: string;
  pointer: string;
  detail: string;
}
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors: FieldError[],
    /** the rule that refused it (a separation-of-duties or integrity rule's code), when the problem names one */
    readonly rule?: string,
  ) {
    super(detail);
  }
}

const TOKEN = 'ot.token';
export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN);
  },
  set(token: string) {
    sessionStorage.setItem(TOKEN, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN);
  },
};

/** what a 401 does: by default back to the sign-in page; OIDC mode renews (true: send the call again) */
let onUnauthorized: () => Promise<boolean> = async () => {
  session.clear();
  location.hash = '#/login';
  return false;
};
export function whenUnauthorized(handler: () => Promise<boolean>) {
  onUnauthorized = handler;
}

export async function api<T = any>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  const res = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (res.status === 401 && path !== '/auth/login' && !retried && (await onUnauthorized())) return api<T>(method, path, body, true);
  if (!res.ok)
    throw new ApiProblem(
      res.status,
      parsed?.detail ?? `${res.status}`,
      Array.isArray(parsed?.errors) ? parsed.errors : [],
      typeof parsed?.rule === 'string' ? parsed.rule : undefined,
    );
  return parsed as T;
}

export const get = <T = any>(path: string) => api<T>('GET', path);
export const post = <T = any>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T = any>(path: string, body: unknown) => api<T>('PATCH', path, body);

export const qs = (q: Record<string, string | number | undefined | null>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};
