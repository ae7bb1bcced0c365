// Shapes of /api/v1 responses (API.md): snake_case keys, RFC 3339 times.

export interface Page<T> {
  list: T[]
  total: number
  page: number
  page_size: number
}

export interface User {
  id: number
  nickname: string
  email?: string
  mobile?: string
  role?: string
  status?: number
  avatar?: string
  must_change_password?: boolean
  // accounts an administrator allowed this user's tasks to run as (besides their own identity)
  run_as?: string[]
  created_at?: string
}

export interface LoginResult {
  token: string
  expires_at: number
  user: User
}

export interface Agent {
  id: number
  alias: string
  ip: string
  port: string | number
  master?: string
  status: number
  name?: string
  pid?: number
  last_heartbeat_at?: string | null
  created_at?: string
  // 1: this web node reaches the agent without TLS off loopback (credentials in clear)
  in_clear?: number
}

export interface Group {
  id: number
  name: string
  status: number
  creator?: number
  created_at?: string
  updated_at?: string
}

export type TaskKind = 'app' | 'job' | 'timing'

export interface Task {
  id: number
  name: string
  group_id: number
  group_name?: string
  agent_id: number
  agent_name?: string
  dir: string
  program: string
  args: string
  std_out: string
  std_err: string
  auto_restart?: number
  is_monitor: number
  user?: string
  env?: Record<string, string>
  stop_signal?: string
  stop_timeout?: number
  status: number
  desired?: number
  state?: string
  pid?: number
  restarts?: number
  last_exit_status?: number | null
  last_exit_signal?: string
  last_exit_at?: string | null
  spec?: string
  concurrency?: string
  timeout?: number
  time?: string
  next_run_at?: string | null
  creator?: number
  created_at?: string
  updated_at?: string
}

export interface BatchItem {
  id: number
  code: number
  message: string
}

export interface BatchResult {
  results: BatchItem[]
}

export interface MonitorPoint {
  cpu: number
  memory: number
  created_at: string
  pid?: number
  threads?: number
}

export interface Archive {
  id: number
  uuid?: string
  pid: number
  begin_time: string
  end_time: string
  status: number
  signal: string
  created_at?: string
}

export interface LogData {
  path: string
  content: string[]
}

export interface ExceptionRow {
  id: number
  type: number
  name?: string
  desc: string
  related_id?: number
  created_at: string
}

export interface OperationRow {
  id: number
  user_id: number
  nickname?: string
  type: number
  action: number
  related_id?: number
  desc: string
  created_at: string
}

export type StateCounts = Record<string, number>

export interface Dashboard {
  agents: StateCounts
  apps: StateCounts
  jobs: StateCounts
  timings: StateCounts
  recent_exceptions: ExceptionRow[]
}
