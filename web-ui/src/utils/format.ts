// Display helpers: times, statuses and state tags.
import { i18n } from '@/i18n'
import type { TaskKind } from '@/api/types'

const t = (k: string) => i18n.global.t(k)
const pad = (n: number) => String(n).padStart(2, '0')

/** An RFC 3339 time shown in the browser's zone as YYYY-MM-DD HH:mm:ss. */
export function fmtTime(v?: string | number | null): string {
  if (v === null || v === undefined || v === '') return '-'
  const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v)
  if (Number.isNaN(d.getTime())) return String(v)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** HH:mm:ss only, for chart axes. */
export function fmtClock(v: string): string {
  const d = new Date(v)
  if (Number.isNaN(d.getTime())) return v
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** A server time kept in the server's own offset: 2026-11-25 09:00:00 +08:00. */
export function fmtServerTime(v: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(v)
  if (!m) return v
  return `${m[1]} ${m[2]} ${m[3] === 'Z' ? '+00:00' : m[3]}`
}

/** The local time as RFC 3339 with offset, e.g. 2026-11-25T10:30:00+08:00. */
export function toRfc3339(d: Date): string {
  const off = -d.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  const a = Math.abs(off)
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`
  )
}

type TagType = 'success' | 'warning' | 'info' | 'danger' | 'primary'

/** Status numbers (ORIGINAL.md 7.4) of apps, jobs and timings. */
export const taskStatusKeys: Record<number, string> = {
  1: 'running',
  2: 'paused',
  0: 'stopped',
  [-2]: 'unknown',
  [-1]: 'deleted',
  [-3]: 'failed',
  3: 'finished',
}

export function taskStatusOptions(kind: TaskKind): { value: number; label: string }[] {
  const vals = kind === 'timing' ? [1, 2, 0, 3, -2, -3] : [1, 2, 0, -2, -3]
  return vals.map((v) => ({ value: v, label: t(`states.${taskStatusKeys[v]}`) }))
}

export function statusLabel(status: number): string {
  const k = taskStatusKeys[status]
  return k ? t(`states.${k}`) : String(status)
}

const stateTags: Record<string, TagType> = {
  running: 'success',
  starting: 'primary',
  scheduled: 'primary',
  backoff: 'warning',
  stopping: 'warning',
  paused: 'info',
  stopped: 'info',
  exited: 'info',
  finished: 'success',
  done: 'success',
  fatal: 'danger',
  failed: 'danger',
  unknown: 'warning',
  deleted: 'info',
}

export function stateTag(state?: string): TagType {
  return (state && stateTags[state]) || 'info'
}

export function stateLabel(state?: string): string {
  if (!state) return '-'
  const key = `states.${state}`
  const s = t(key)
  return s === key ? state : s
}

export function agentStatus(status: number): { label: string; type: TagType } {
  if (status === 1) return { label: t('states.online'), type: 'success' }
  if (status === -1) return { label: t('states.forbidden'), type: 'danger' }
  return { label: t('states.offline'), type: 'info' }
}

export function userStatus(status?: number): { label: string; type: TagType } {
  if (status === 1) return { label: t('states.normal'), type: 'success' }
  if (status === -1) return { label: t('states.forbidden'), type: 'danger' }
  return { label: t('states.unverified'), type: 'warning' }
}

export function agentName(a: { alias?: string; ip?: string; port?: string | number; name?: string }): string {
  const addr = a.ip ? `${a.ip}:${a.port}` : a.name || ''
  return a.alias ? `${a.alias} (${addr})` : addr
}
