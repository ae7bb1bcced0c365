// The one place that talks HTTP to /api/v1: the {code, message, data} envelope, the session
// cookie (same origin) with the login token as a Bearer fallback, and 401 handling.

const TOKEN_KEY = 'asgard_token'
export const API_BASE = '/api/v1'

export class ApiError extends Error {
  status: number
  code: number
  data: unknown
  constructor(status: number, code: number, message: string, data: unknown) {
    super(message)
    this.status = status
    this.code = code
    this.data = data
  }
}

export function getToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || ''
  } catch {
    return ''
  }
}

export function setToken(token: string) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token)
    else sessionStorage.removeItem(TOKEN_KEY)
  } catch {
    /* storage disabled: the cookie still works */
  }
}

type Handler = (err: ApiError) => void
let onUnauthorized: Handler = () => {}
let onMustChangePassword: Handler = () => {}

/** Called on every 401 (not for the login call itself). */
export function setUnauthorizedHandler(h: Handler) {
  onUnauthorized = h
}
/** Called on a 403 that asks for the initial password to be changed first. */
export function setMustChangePasswordHandler(h: Handler) {
  onMustChangePassword = h
}

export type Query = Record<string, string | number | boolean | null | undefined>

export function buildQuery(q?: Query): string {
  if (!q) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue
    p.set(k, String(v))
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

export interface RequestOptions {
  query?: Query
  json?: unknown
  form?: Record<string, string | number>
  /** Do not run the global 401 handler (the login form reports its own errors). */
  quiet401?: boolean
  signal?: AbortSignal
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const token = getToken()
  if (token) headers.Authorization = `Bearer ${token}`
  let body: BodyInit | undefined
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.json)
  } else if (opts.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded'
    const p = new URLSearchParams()
    for (const [k, v] of Object.entries(opts.form)) p.set(k, String(v))
    body = p.toString()
  } else if (method !== 'GET' && method !== 'HEAD') {
    // Send an explicit empty JSON object so that every server sees a well-formed body.
    headers['Content-Type'] = 'application/json'
    body = '{}'
  }
  let res: Response
  try {
    res = await fetch(API_BASE + path + buildQuery(opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    })
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e
    throw new ApiError(0, 0, 'network', null)
  }
  let env: { code?: number; message?: string; data?: unknown } | null = null
  const text = await res.text()
  if (text) {
    try {
      env = JSON.parse(text)
    } catch {
      env = null
    }
  }
  const code = typeof env?.code === 'number' ? env.code : res.status
  if (!res.ok || code >= 300) {
    const message = env?.message || `HTTP ${res.status} ${res.statusText}`.trim()
    const err = new ApiError(res.status || code, code, message, env?.data ?? null)
    if (err.status === 401 && !opts.quiet401) onUnauthorized(err)
    if (err.status === 403 && /password/i.test(message) && /change/i.test(message)) onMustChangePassword(err)
    throw err
  }
  return (env?.data ?? null) as T
}

export const http = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, json?: unknown) => request<T>('POST', path, { json }),
  postForm: <T>(path: string, form: Record<string, string | number>, quiet401 = false) =>
    request<T>('POST', path, { form, quiet401 }),
  put: <T>(path: string, json?: unknown) => request<T>('PUT', path, { json }),
  del: <T>(path: string) => request<T>('DELETE', path),
}

/** URL of an SSE stream; EventSource sends the session cookie (same origin). */
export function sseUrl(path: string, query?: Query): string {
  return API_BASE + path + buildQuery(query)
}
