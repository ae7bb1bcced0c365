// Every /api/v1 route the console uses, one function each (API.md). The list calls take an
// optional AbortSignal (useList aborts a load that a newer one replaces).
import { http, type Query } from './http'
import type {
  Agent,
  Archive,
  BatchResult,
  Dashboard,
  ExceptionRow,
  Group,
  LogData,
  LoginResult,
  MonitorPoint,
  OperationRow,
  Page,
  Task,
  TaskKind,
  User,
} from './types'

const plural: Record<TaskKind, string> = { app: 'apps', job: 'jobs', timing: 'timings' }

export const authApi = {
  login: (username: string, password: string) =>
    http.postForm<LoginResult>('/auth/login', { username, password }, true),
  info: () => http.get<User>('/auth/info'),
  logout: () => http.post<null>('/auth/logout'),
  changePassword: (old_password: string, password: string) =>
    http.postForm<{ token?: string } | null>('/auth/change_password', { old_password, password }),
}

export const userApi = {
  list: (q: Query, signal?: AbortSignal) => http.get<Page<User>>('/users', q, signal),
  get: (id: number) => http.get<User>(`/users/${id}`),
  create: (u: Record<string, unknown>) => http.post<User>('/users', u),
  update: (id: number, u: Record<string, unknown>) => http.put<User>(`/users/${id}`, u),
  forbid: (id: number) => http.post<null>(`/users/${id}/forbidden`),
  resetPassword: (id: number, password: string) =>
    http.postForm<null>(`/users/${id}/reset_password`, { password }),
}

export const agentApi = {
  list: (q: Query, signal?: AbortSignal) => http.get<Page<Agent>>('/agents', q, signal),
  get: (id: number) => http.get<Agent>(`/agents/${id}`),
  update: (id: number, alias: string) => http.put<Agent>(`/agents/${id}`, { alias }),
  forbid: (id: number) => http.post<null>(`/agents/${id}/forbidden`),
  resetKey: (id: number) => http.post<null>(`/agents/${id}/reset_key`),
}

export const groupApi = {
  list: (q: Query, signal?: AbortSignal) => http.get<Page<Group>>('/groups', q, signal),
  create: (g: { name: string; status: number }) => http.post<Group>('/groups', g),
  update: (id: number, g: { name: string; status: number }) => http.put<Group>(`/groups/${id}`, g),
  remove: (id: number) => http.del<null>(`/groups/${id}`),
}

export type TaskAction = 'start' | 'restart' | 'pause'
export type BatchAction = 'batch_start' | 'batch_restart' | 'batch_pause' | 'batch_delete'

export function taskApi(kind: TaskKind) {
  const base = `/${plural[kind]}`
  return {
    list: (q: Query, signal?: AbortSignal) => http.get<Page<Task>>(base, q, signal),
    get: (id: number) => http.get<Task>(`${base}/${id}`),
    create: (t: Record<string, unknown>) => http.post<Task | { id: number }>(base, t),
    update: (id: number, t: Record<string, unknown>) => http.put<Task>(`${base}/${id}`, t),
    copy: (id: number) => http.post<Task | { id: number }>(`${base}/${id}/copy`),
    action: (id: number, a: TaskAction) => http.post<Task | null>(`${base}/${id}/${a}`),
    run: (id: number) => http.post<unknown>(`${base}/${id}/run`),
    remove: (id: number) => http.del<null>(`${base}/${id}`),
    batch: (a: BatchAction, ids: number[]) => http.post<BatchResult>(`${base}/${a}`, { ids }),
  }
}

export const monitorApi = {
  get: (kind: TaskKind | 'agent', id: number, size = 100) =>
    http.get<MonitorPoint[] | Page<MonitorPoint>>(`/monitor/${kind}`, { [`${kind}_id`]: id, size }),
}

export const archiveApi = {
  list: (kind: TaskKind, id: number, page = 1, page_size = 10, signal?: AbortSignal) =>
    http.get<Page<Archive>>(`/archives/${kind}`, { [`${kind}_id`]: id, page, page_size }, signal),
}

export const logApi = {
  tail: (stream: 'out' | 'err', kind: TaskKind, id: number, lines = 200) =>
    http.get<LogData>(`/${stream}_logs/${kind}/data`, { [`${kind}_id`]: id, lines }),
}

export const reportApi = {
  exceptions: (q: Query, signal?: AbortSignal) => http.get<Page<ExceptionRow>>('/exceptions', q, signal),
  operations: (q: Query, signal?: AbortSignal) => http.get<Page<OperationRow>>('/operations', q, signal),
  dashboard: () => http.get<Dashboard>('/dashboard'),
  cronNext: (spec: string, n = 5, tz?: string) => http.post<{ next: string[] }>('/cron/next', { spec, n, tz }),
}
