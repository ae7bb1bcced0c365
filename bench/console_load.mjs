// Console first load (issue 4): the built console (web-ui/dist) served by a real `asgard all`,
// loaded by Debian's headless chromium (playwright-core from web-ui/node_modules, no browser
// download) with a cold cache: a fresh browser context for every run.
//
//   bench/run.sh console [--runs 10] [--loopback-runs 5] [--throttled-runs 3] [--quiet-ms 1000] [--keep]
//
// Two origins, because chromium asks for different encodings: a host name mapped to 127.0.0.1
// (http://asgard.bench:PORT, what a user on the VPN meets: "Accept-Encoding: gzip, deflate") and
// http://127.0.0.1:PORT (--loopback-runs; a trustworthy origin, like https: "gzip, deflate, br,
// zstd"). asgard answers both with gzip: it serves no brotli. Each run measures the following;
// --throttled-runs more go through a throttled network (CDP Network.emulateNetworkConditions:
// 1.6 Mbit/s down, 750 kbit/s up, 150 ms) on the named origin. A warm-up run comes first and is
// not counted.
//   login     `/` in a fresh context until the login form is usable (the router asks
//             /auth/info, gets 401 and shows /login);
//   dashboard the login form submitted (password already changed) until the dashboard's cards
//             show the server's figures, timed from the click;
//   reopen    `/` in a fresh context that holds a session cookie (a bookmarked console) until
//             the cards show, then the same page reloaded in that context (warm cache).
// Bytes are counted by CDP: "sent" is what came over the wire (headers + body as encoded),
// "decoded" the bodies after Content-Encoding. Time to interactive (TTI) is the later of "the
// target is in the DOM, visible and enabled, and the frame showing it painted" and the end of the
// last long task (>= 50 ms of main thread) before a quiet window (--quiet-ms without a long task
// or a request in flight). Every figure is printed as median, p90, min and max.
//
// Environment: ASGARD_BIN (default build/asgard), CHROMIUM (default /usr/bin/chromium).
// Needs web-ui/dist (scripts/build-web-ui.sh) and web-ui/node_modules (npm ci in web-ui/).
import { execFileSync, spawn } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { brotliCompressSync, constants as zc, gzipSync } from 'node:zlib'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const webUi = join(repo, 'web-ui')
const dist = join(webUi, 'dist')
const asgardBin = resolve(repo, process.env.ASGARD_BIN || 'build/asgard')
const chromiumBin = process.env.CHROMIUM || '/usr/bin/chromium'
const PASSWORD = 'Bench-pass-2026'
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100
const HOST = 'asgard.bench' // mapped to 127.0.0.1 by chromium's --host-resolver-rules
const THROTTLE = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 0.75e6 / 8 }

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    'loopback-runs': { type: 'string', default: '5' },
    'throttled-runs': { type: 'string', default: '3' },
    'quiet-ms': { type: 'string', default: '1000' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
if (opt.help) {
  console.log('usage: bench/run.sh console [--runs 10] [--loopback-runs 5] [--throttled-runs 3] [--quiet-ms 1000] [--keep]')
  process.exit(0)
}
const RUNS = Number(opt.runs)
const LOOPBACK_RUNS = Number(opt['loopback-runs'])
const THROTTLED_RUNS = Number(opt['throttled-runs'])
const QUIET_MS = Number(opt['quiet-ms'])

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const log = (...a) => console.error(...a)

// ---------------------------------------------------------------- the server

let tmp = ''
let server = null // `asgard all`, leader of its own process group
let serverExited = null
let browser = null
let apiBase = '' // http://127.0.0.1:PORT, for the bench's own API calls

async function startServer() {
  tmp = mkdtempSync(join(tmpdir(), 'asgard-bench-console-'))
  mkdirSync(join(tmp, 'conf'))
  // Every port is 0 (any free one), as in web-ui/e2e: no clash with another asgard here.
  writeFileSync(
    join(tmp, 'conf', 'app.yaml'),
    `runtime_dir: ${join(tmp, 'runtime')}\ncomponent: {log: {level: warn}}\n` +
      `web: {port: 0, static_dir: ${dist}}\nmaster: {port: 0}\nagent: {rpc: {port: 0}}\n`,
  )
  const out = openSync(join(tmp, 'asgard.log'), 'a')
  server = spawn(asgardBin, ['all', '-c', join(tmp, 'conf')], {
    cwd: tmp,
    detached: true,
    stdio: ['ignore', out, out],
  })
  closeSync(out)
  serverExited = new Promise((r) => server.once('exit', (code, sig) => r({ code, sig })))
  let exited = null
  serverExited.then((x) => (exited = x))
  const addrFile = join(tmp, 'runtime', 'web.addr')
  for (const deadline = Date.now() + 30000; Date.now() < deadline; await sleep(50)) {
    if (exited) throw new Error(`asgard all exited early (${JSON.stringify(exited)}):\n${serverLog()}`)
    const addr = existsSync(addrFile) ? readFileSync(addrFile, 'utf8').trim() : ''
    if (addr) return `http://${addr}`
  }
  throw new Error(`no ${addrFile} after 30 s:\n${serverLog()}`)
}

function serverLog() {
  try {
    return readFileSync(join(tmp, 'asgard.log'), 'utf8').split('\n').slice(-30).join('\n')
  } catch {
    return '(no log)'
  }
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return
  const pgid = server.pid
  try {
    process.kill(-pgid, 'SIGTERM')
  } catch {
    return
  }
  const t0 = Date.now()
  if (!(await Promise.race([serverExited, sleep(35000).then(() => null)]))) log('asgard: killing it after 35 s')
  else log(`asgard stopped ${((Date.now() - t0) / 1000).toFixed(1)} s after SIGTERM`)
  try {
    process.kill(-pgid, 'SIGKILL') // whatever is left in its group
  } catch {
    /* the group is empty */
  }
}

/** A JSON call to /api/v1; returns `data` of the envelope and the session cookie, if set.
 *  One connection per call: an idle keep-alive connection holds asgard's stop for its 30 s
 *  keep-alive timeout. */
function api(base, method, path, { token, body, form } = {}) {
  const headers = { Connection: 'close' }
  let payload = ''
  if (form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded'
    payload = new URLSearchParams(form).toString()
  } else if (body) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  if (token) headers.Authorization = `Bearer ${token}`
  return new Promise((resolveCall, reject) => {
    const req = httpRequest(base + path, { method, headers, agent: false }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        if (res.statusCode !== 200) return reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`))
        const cookie = (res.headers['set-cookie'] || [])[0]?.split(';')[0]
        resolveCall({ ...JSON.parse(text).data, cookie })
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** Changes the initial password (the forced dialog is not what this bench measures) and waits
 *  for the local agent; returns the number of online agents the dashboard card will show. */
async function prepare(base) {
  let token = (await api(base, 'POST', '/api/v1/auth/login', { form: { username: 'admin', password: '123456' } })).token
  token = (await api(base, 'POST', '/api/v1/auth/change_password', { token, body: { old_password: '123456', password: PASSWORD } })).token
  for (const deadline = Date.now() + 30000; Date.now() < deadline; await sleep(200)) {
    const d = await api(base, 'GET', '/api/v1/dashboard', { token })
    if (d.agents?.online >= 1) return d.agents.online
  }
  throw new Error('the local agent is not online after 30 s')
}

// ---------------------------------------------------------------- in the page

// Runs at the start of every document: collects long tasks, and the moments the login form and
// the dashboard's cards become usable (checked on every DOM change, layout only once present).
const PAGE_PROBE = (expectAgents) => {
  const P = (window.__bench = {
    longtasks: [], formAt: null, formPaintAt: null, cardsAt: null, cardsPaintAt: null, clickAt: null, idleAt: null,
  })
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) P.longtasks.push([e.startTime, e.duration])
    }).observe({ type: 'longtask', buffered: true })
  } catch {
    /* no Long Tasks API */
  }
  const usable = (el) => {
    if (!el || el.disabled) return false
    const r = el.getBoundingClientRect()
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'
  }
  // After the target is in the DOM: the frame that paints it (rAF, then the task after it), and
  // the first idle period of the main thread.
  const reached = (key) => {
    P[key] = performance.now()
    requestAnimationFrame(() => setTimeout(() => (P[key.replace('At', 'PaintAt')] = performance.now())))
    requestIdleCallback(() => (P.idleAt = performance.now()))
  }
  const check = () => {
    if (P.formAt === null) {
      const u = document.querySelector('input[name=username]')
      const b = u && document.querySelector('[data-testid=login-submit]')
      if (b && usable(u) && usable(document.querySelector('input[name=password]')) && usable(b)) reached('formAt')
    }
    if (P.cardsAt === null) {
      const n = document.querySelector('[data-testid=card-agents] .num')
      if (n && n.textContent.trim() === String(expectAgents)) reached('cardsAt')
    }
  }
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true, characterData: true })
  document.addEventListener(
    'click',
    (e) => {
      if (e.target.closest?.('[data-testid=login-submit]')) P.clickAt = e.timeStamp
    },
    true,
  )
}

/** Network accounting of one page through CDP (requests, bytes as sent, decoded bytes). */
class NetTracker {
  constructor(cdp) {
    this.reqs = new Map() // requestId -> {url, type, status, enc, sent, decoded, done}
    this.lastActivity = Date.now()
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.request.url.startsWith('data:')) return
      // A redirect reuses the requestId: the earlier hop stays counted under a new key.
      const old = this.reqs.get(e.requestId)
      if (old && e.redirectResponse) this.reqs.set(`${e.requestId}#${this.reqs.size}`, { ...old, done: true })
      this.reqs.set(e.requestId, { url: e.request.url, type: e.type, status: 0, enc: '', sent: 0, decoded: 0, done: false })
      this.lastActivity = Date.now()
    })
    cdp.on('Network.responseReceived', (e) => {
      const r = this.reqs.get(e.requestId)
      if (!r) return
      const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]))
      r.status = e.response.status
      r.enc = h['content-encoding'] || 'identity'
      r.headers = h
      r.cached = e.response.fromDiskCache || e.response.fromPrefetchCache || false
      // Request sent -> response headers: the server's time, compression included.
      const tm = e.response.timing
      r.wait = tm ? tm.receiveHeadersEnd - tm.sendEnd : NaN
      this.lastActivity = Date.now()
    })
    cdp.on('Network.dataReceived', (e) => {
      const r = this.reqs.get(e.requestId)
      if (r) r.decoded += e.dataLength
      this.lastActivity = Date.now()
    })
    cdp.on('Network.loadingFinished', (e) => {
      const r = this.reqs.get(e.requestId)
      if (r) Object.assign(r, { sent: e.encodedDataLength, done: true })
      this.lastActivity = Date.now()
    })
    cdp.on('Network.loadingFailed', (e) => {
      const r = this.reqs.get(e.requestId)
      if (r) Object.assign(r, { done: true, failed: e.errorText })
      this.lastActivity = Date.now()
    })
  }

  inflight() {
    let n = 0
    for (const r of this.reqs.values()) if (!r.done) n++
    return n
  }

  /** Requests since the mark (a previous `list().length`). */
  list(from = 0) {
    return [...this.reqs.values()].slice(from)
  }
}

const sum = (rs, k) => rs.reduce((a, r) => a + r[k], 0)

/** Waits until `key` (a *PaintAt of the page probe) is set, then for a quiet window: no long task
 *  and no network activity for QUIET_MS, nothing in flight. Returns the probe's record. */
async function settle(page, net, key, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const p = await page.evaluate(() => window.__bench && { ...window.__bench, now: performance.now() }).catch(() => null)
    if (p && p[key] !== null) {
      const lastLong = p.longtasks.reduce((a, [s, d]) => Math.max(a, s + d), 0)
      const quietPage = p.now - Math.max(lastLong, p[key])
      if (net.inflight() === 0 && quietPage >= QUIET_MS && Date.now() - net.lastActivity >= QUIET_MS) return p
    }
    if (Date.now() > deadline) throw new Error(`${key}: not reached or not quiet within ${timeoutMs} ms`)
    await sleep(100)
  }
}

/** The figures of one target ('formAt' or 'cardsAt'), in ms from `since`: in the DOM, painted,
 *  first idle callback, TTI (painted, or the end of the last long task if later), total blocking
 *  time (long-task time over 50 ms each) and the longest task. */
function targetFigures(p, key, since = 0) {
  const painted = p[key.replace('At', 'PaintAt')]
  const tasks = p.longtasks.filter(([s, d]) => s + d > since)
  return {
    ready: p[key] - since,
    painted: painted - since,
    idle: p.idleAt - since,
    tti: Math.max(painted, ...tasks.map(([s, d]) => s + d)) - since,
    tbt: tasks.reduce((a, [, d]) => a + Math.max(0, d - 50), 0),
    longest: tasks.reduce((a, [, d]) => Math.max(a, d), 0),
  }
}

async function navTimes(page) {
  return page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0]
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]
    // When the entry script and style sheet of index.html were downloaded.
    const end = (el) => performance.getEntriesByName(el?.href || el?.src || '-')[0]?.responseEnd ?? NaN
    return {
      dcl: n.domContentLoadedEventStart,
      load: n.loadEventStart,
      fcp: fcp ? fcp.startTime : NaN,
      jsEnd: end(document.querySelector('head script[type=module][src]')),
      cssEnd: end(document.querySelector('head link[rel=stylesheet]')),
    }
  })
}

async function newPage(expectAgents, throttled) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  context.setDefaultTimeout(throttled ? 120000 : 30000)
  await context.addInitScript(PAGE_PROBE, expectAgents)
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  const cdp = await context.newCDPSession(page)
  const net = new NetTracker(cdp)
  await cdp.send('Network.enable')
  if (throttled) await cdp.send('Network.emulateNetworkConditions', THROTTLE)
  return { context, page, net, errors }
}

const netFigures = (rs) => ({ requests: rs.length, sentKB: sum(rs, 'sent') / 1024, decodedKB: sum(rs, 'decoded') / 1024 })

/** One cold run: the login page, then login -> dashboard, then reopen with a session cookie
 *  and reload. Each phase also records the server's CPU time (compression is done per request). */
async function oneRun(base, expectAgents, throttled) {
  const timeout = throttled ? 120000 : 30000
  const out = {}
  let cpu = serverCpuMs()
  const phase = (name, figures, reqs) => {
    const now = serverCpuMs()
    out[name] = { ...figures, serverCpu: now - cpu, ...netFigures(reqs) }
    out[`${name}Requests`] = reqs
    cpu = now
  }
  let s = await newPage(expectAgents, throttled)
  try {
    await s.page.goto(`${base}/`, { waitUntil: 'load' })
    let p = await settle(s.page, s.net, 'formPaintAt', timeout)
    if (!s.page.url().endsWith('/login')) throw new Error(`expected /login, at ${s.page.url()}`)
    phase('login', { ...(await navTimes(s.page)), ...targetFigures(p, 'formAt') }, s.net.list())
    const mark = s.net.list().length
    await s.page.fill('input[name=username]', 'admin')
    await s.page.fill('input[name=password]', PASSWORD)
    await s.page.click('[data-testid=login-submit]')
    p = await settle(s.page, s.net, 'cardsPaintAt', timeout)
    phase('dashboard', targetFigures(p, 'cardsAt', p.clickAt), s.net.list(mark))
    if (s.errors.length) throw new Error(`errors in the page: ${s.errors.join('; ')}`)
  } finally {
    await s.context.close()
  }
  s = await newPage(expectAgents, throttled)
  try {
    // A session cookie in the fresh context, from a login of our own.
    const { cookie } = await api(apiBase, 'POST', '/api/v1/auth/login', { form: { username: 'admin', password: PASSWORD } })
    const eq = cookie.indexOf('=')
    await s.context.addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: base }])
    cpu = serverCpuMs()
    await s.page.goto(`${base}/`, { waitUntil: 'load' })
    let p = await settle(s.page, s.net, 'cardsPaintAt', timeout)
    phase('reopen', { ...(await navTimes(s.page)), ...targetFigures(p, 'cardsAt') }, s.net.list())
    const mark = s.net.list().length
    await s.page.reload({ waitUntil: 'load' })
    p = await settle(s.page, s.net, 'cardsPaintAt', timeout)
    phase('reload', { ...(await navTimes(s.page)), ...targetFigures(p, 'cardsAt') }, s.net.list(mark))
    if (s.errors.length) throw new Error(`errors in the page: ${s.errors.join('; ')}`)
  } finally {
    await s.context.close()
  }
  return out
}

/** CPU time (user + system) of the asgard process so far, in ms. */
function serverCpuMs() {
  try {
    const stat = readFileSync(`/proc/${server.pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK
  } catch {
    return NaN
  }
}

// ---------------------------------------------------------------- report

/** Percentile by benchlib.pct's rank rule (with 10 values, p90 is the largest). */
function pct(values, p) {
  const s = [...values].sort((a, b) => a - b)
  const k = Math.max(0, Math.min(s.length - 1, Math.round((p / 100) * s.length + 0.5) - 1))
  return s[k]
}
function median(values) {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const FIGURES = [
  ['requests', 'requests', 0],
  ['sentKB', 'KB sent (wire)', 1],
  ['decodedKB', 'KB decoded', 1],
  ['cssEnd', 'index.css downloaded ms', 0],
  ['jsEnd', 'index.js downloaded ms', 0],
  ['fcp', 'first contentful paint ms', 0],
  ['dcl', 'DOMContentLoaded ms', 0],
  ['load', 'load event ms', 0],
  ['ready', 'target in the DOM, usable ms', 0],
  ['painted', 'target painted ms', 0],
  ['idle', 'first idle callback after it ms', 0],
  ['tti', 'time to interactive ms', 0],
  ['tbt', 'total blocking time ms', 0],
  ['longest', 'longest task ms', 0],
  ['serverCpu', 'asgard CPU ms', 0],
]

function table(title, runs) {
  console.log(`\n### ${title} (${runs.length} runs)\n`)
  console.log('| figure | median | p90 | min | max |')
  console.log('|---|---|---|---|---|')
  for (const [key, label, digits] of FIGURES) {
    const v = runs.map((r) => r[key]).filter((x) => typeof x === 'number' && !Number.isNaN(x))
    if (!v.length) continue
    const f = (x) => x.toFixed(digits)
    console.log(`| ${label} | ${f(median(v))} | ${f(pct(v, 90))} | ${f(Math.min(...v))} | ${f(Math.max(...v))} |`)
  }
}

/** What each request of one run cost, and what gzip -6 and brotli -q5 would make of each asset. */
function breakdown(title, reqs) {
  console.log(`\n### ${title}: requests of the first run\n`)
  console.log('| request | status | encoding | wait ms | sent B | decoded B | gzip -6 B | br -q5 B |')
  console.log('|---|---|---|---|---|---|---|---|')
  for (const r of reqs) {
    const path = new URL(r.url).pathname
    const file = join(dist, path === '/' || path === '/login' ? 'index.html' : path)
    let gz = '-'
    let br = '-'
    if (path.startsWith('/assets/') && existsSync(file)) {
      const buf = readFileSync(file)
      gz = gzipSync(buf, { level: 6 }).length
      br = brotliCompressSync(buf, { params: { [zc.BROTLI_PARAM_QUALITY]: 5 } }).length
    }
    const status = r.cached ? `${r.status} (disk cache)` : r.status
    console.log(`| ${r.type} ${path} | ${status} | ${r.enc} | ${r.wait.toFixed(0)} | ${r.sent} | ${r.decoded} | ${gz} | ${br} |`)
  }
  const enc = reqs.find((r) => r.url.includes('/assets/index-') && r.url.endsWith('.js'))
  if (enc) console.log(`\nAccept-Encoding honoured for index.js: Content-Encoding ${enc.enc}; cache headers: ` +
    ['cache-control', 'etag', 'last-modified', 'expires'].map((h) => `${h}=${enc.headers?.[h] ?? '(none)'}`).join(', '))
}

async function series(label, base, expectAgents, n, throttled) {
  const runs = []
  for (let i = 0; i < n; i++) {
    const r = await oneRun(base, expectAgents, throttled)
    runs.push(r)
    log(`${label} run ${i + 1}/${n}: TTI login ${r.login.tti.toFixed(0)} ms, dashboard ${r.dashboard.tti.toFixed(0)} ms, ` +
      `reopen ${r.reopen.tti.toFixed(0)} ms, reload ${r.reload.tti.toFixed(0)} ms`)
  }
  return runs
}

function report(label, runs, withBreakdown) {
  console.log(`\n## ${label}`)
  table('login page, cold cache (`/` until the /login form is usable, from navigation start)', runs.map((r) => r.login))
  table('login -> dashboard cards with data (from the click; these chunks not cached yet)', runs.map((r) => r.dashboard))
  table('reopen `/` with a session cookie, cold cache (dashboard cards, from navigation start)', runs.map((r) => r.reopen))
  table('the same page reloaded (warm cache)', runs.map((r) => r.reload))
  if (!withBreakdown) return
  breakdown('login page', runs[0].loginRequests)
  breakdown('login -> dashboard', runs[0].dashboardRequests)
  breakdown('reload (warm cache)', runs[0].reloadRequests)
}

// ---------------------------------------------------------------- main

function killNow() {
  if (server && server.exitCode === null && server.signalCode === null) {
    try {
      process.kill(-server.pid, 'SIGKILL')
    } catch {
      /* gone */
    }
  }
  if (tmp && !opt.keep) rmSync(tmp, { recursive: true, force: true })
}
process.on('exit', killNow)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping`)
    Promise.race([browser?.close(), sleep(5000)])
      .catch(() => {})
      .finally(() => stopServer().finally(() => process.exit(130)))
  })
}

async function main() {
  for (const [path, hint] of [
    [join(dist, 'index.html'), 'scripts/build-web-ui.sh'],
    [asgardBin, 'cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build --target asgard, or set ASGARD_BIN'],
    [chromiumBin, 'apt-get install -y chromium, or set CHROMIUM'],
    [join(webUi, 'node_modules', 'playwright-core'), '(cd web-ui && npm ci)'],
  ]) {
    if (!existsSync(path)) throw new Error(`${path} not found: ${hint}`)
  }
  const { chromium } = createRequire(join(webUi, 'package.json'))('playwright-core')
  console.log(`${cpus().length} CPU (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, ` +
    `${new Date().toISOString().slice(0, 16)}Z, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  try {
    apiBase = await startServer()
    const expectAgents = await prepare(apiBase)
    const named = apiBase.replace('127.0.0.1', HOST)
    browser = await chromium.launch({
      executablePath: chromiumBin,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', `--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
    })
    console.log(`chromium ${browser.version()}, asgard ${asgardBin}, console ${dist}`)
    log('warm-up run (not counted)')
    await oneRun(named, expectAgents, false)
    const t = THROTTLE
    const slowLabel = `${(t.downloadThroughput * 8) / 1e6} Mbit/s down, ${(t.uploadThroughput * 8) / 1e3} kbit/s up, ${t.latency} ms`
    const results = [[`${named} (a named host: gzip), loopback network`, await series('named', named, expectAgents, RUNS, false)]]
    if (LOOPBACK_RUNS > 0) {
      results.push([`${apiBase} (loopback origin: asks for br, gets gzip), loopback network`, await series('loopback', apiBase, expectAgents, LOOPBACK_RUNS, false)])
    }
    if (THROTTLED_RUNS > 0) {
      results.push([`${named} (gzip), throttled: ${slowLabel}`, await series('throttled', named, expectAgents, THROTTLED_RUNS, true)])
    }
    results.forEach(([label, runs]) => report(label, runs, !label.includes('throttled')))
    console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  } finally {
    await browser?.close().catch(() => {})
    await stopServer()
    if (tmp && opt.keep) log(`kept ${tmp}`)
    else if (tmp) rmSync(tmp, { recursive: true, force: true })
  }
}

main().catch((e) => {
  log(e.stack || String(e))
  process.exitCode = 1
})
