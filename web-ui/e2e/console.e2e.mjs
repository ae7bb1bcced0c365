// End-to-end test of the console in a real browser: Debian's chromium driven by playwright-core
// (no browser download) against the real `asgard all` serving web-ui/dist.
//
//   npm run build && npm run test:e2e
//
// Environment: ASGARD_BIN (default ../build/asgard), CHROMIUM (default /usr/bin/chromium),
// E2E_KEEP=1 keeps the temporary directory, E2E_HEADED=1 shows the browser (needs a display).
// Screenshots of every page go to web-ui/e2e-artifacts/ (git-ignored).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const webUi = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const asgardBin = resolve(webUi, process.env.ASGARD_BIN || '../build/asgard')
const chromiumBin = process.env.CHROMIUM || '/usr/bin/chromium'
const dist = join(webUi, 'dist')
const artifacts = join(webUi, 'e2e-artifacts')
const NEW_PASSWORD = 'Admin-2026-x'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

let tmp = ''
let server = null // the `asgard all` child (leader of its own process group)
let serverExited = null
let base = ''
let browser = null
let context = null
let page = null
const pageErrors = []
let shot = 0
let passed = false

function serverLogTail() {
  try {
    return readFileSync(join(tmp, 'asgard.log'), 'utf8').split('\n').slice(-40).join('\n')
  } catch {
    return '(no log)'
  }
}

async function startServer() {
  tmp = mkdtempSync(join(tmpdir(), 'asgard-e2e-'))
  mkdirSync(join(tmp, 'conf'))
  writeFileSync(
    join(tmp, 'conf', 'app.yaml'),
    // Every port is 0 (any free one), so the test never meets another asgard on this machine.
    `runtime_dir: ${join(tmp, 'runtime')}\n` +
      `web: {port: 0, static_dir: ${dist}}\n` +
      `master: {port: 0}\n` +
      `agent: {rpc: {port: 0}}\n`,
  )
  const log = openSync(join(tmp, 'asgard.log'), 'a')
  server = spawn(asgardBin, ['all', '-c', join(tmp, 'conf')], {
    cwd: tmp,
    detached: true, // its own process group, so the agent's children go with it
    stdio: ['ignore', log, log],
  })
  serverExited = new Promise((r) => server.once('exit', (code, sig) => r({ code, sig })))
  const addrFile = join(tmp, 'runtime', 'web.addr')
  const deadline = Date.now() + 30000
  let exited = null
  serverExited.then((x) => (exited = x))
  while (Date.now() < deadline) {
    if (exited) throw new Error(`asgard all exited early (${JSON.stringify(exited)}):\n${serverLogTail()}`)
    if (existsSync(addrFile)) {
      const addr = readFileSync(addrFile, 'utf8').trim()
      if (addr) {
        base = `http://${addr}`
        break
      }
    }
    await sleep(100)
  }
  if (!base) throw new Error(`no ${addrFile} after 30 s:\n${serverLogTail()}`)
  // The API answers?
  for (let i = 0; i < 50; i++) {
    try {
      const r = await fetch(`${base}/api/v1/health`)
      if (r.ok) return
    } catch {
      /* not yet */
    }
    await sleep(100)
  }
  throw new Error(`${base}/api/v1/health does not answer:\n${serverLogTail()}`)
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return
  const pgid = server.pid
  try {
    process.kill(-pgid, 'SIGTERM')
  } catch {
    return
  }
  const done = await Promise.race([serverExited, sleep(10000).then(() => null)])
  if (!done) {
    try {
      process.kill(-pgid, 'SIGKILL')
    } catch {
      /* gone */
    }
    await Promise.race([serverExited, sleep(2000)])
  }
  // Anything left in the group (the tasks' children) goes too.
  try {
    process.kill(-pgid, 'SIGKILL')
  } catch {
    /* group is empty */
  }
}

// Last resort if the runner is interrupted or dies: the server's group goes too.
function killNow() {
  if (server && server.exitCode === null && server.signalCode === null) {
    try {
      process.kill(-server.pid, 'SIGKILL')
    } catch {
      /* gone */
    }
  }
}
process.on('exit', killNow)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killNow()
    process.exit(130)
  })
}
process.stdout.on('error', () => {}) // a closed pipe must not leave the server behind

async function snap(name) {
  shot += 1
  const file = join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

let broken = false
/** A subtest that is skipped once an earlier one failed (they build on each other). */
async function step(t, name, fn) {
  await t.test(name, { skip: broken ? 'an earlier step failed' : false }, async () => {
    try {
      await fn()
    } catch (e) {
      broken = true
      throw e
    }
  })
}

/** The page's visible text of a locator, trimmed. */
const text = async (loc) => ((await loc.innerText()) || '').trim()

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), `no ${dist}/index.html: run \`npm run build\` first`)
  assert.ok(existsSync(asgardBin), `no asgard binary at ${asgardBin} (build it, or set ASGARD_BIN)`)
  assert.ok(existsSync(chromiumBin), `no chromium at ${chromiumBin} (apt-get install -y chromium, or set CHROMIUM)`)
  rmSync(artifacts, { recursive: true, force: true })
  mkdirSync(artifacts, { recursive: true })
  await startServer()
  browser = await chromium.launch({
    executablePath: chromiumBin,
    headless: !process.env.E2E_HEADED,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
  // A new context is a fresh, empty profile (playwright launches with a temporary user-data-dir).
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  context.setDefaultTimeout(20000)
  page = await context.newPage()
  page.on('pageerror', (e) => pageErrors.push(String(e)))
})

after(async () => {
  try {
    if (page && !passed) await snap('failure').catch(() => {})
    await context?.close().catch(() => {})
    await browser?.close().catch(() => {})
  } finally {
    await stopServer()
    if (tmp && !process.env.E2E_KEEP && passed) rmSync(tmp, { recursive: true, force: true })
    else if (tmp) console.log(`# kept ${tmp} (server log: ${join(tmp, 'asgard.log')})`)
  }
})

test('console end to end', { timeout: 240000 }, async (t) => {
  const tick = join(tmp, 'tick.out')

  await step(t, 'login page, then the forced change of the initial password', async () => {
    await page.goto(`${base}/`)
    await page.waitForURL(/\/login/)
    await page.locator('input[name=username]').waitFor()
    await snap('login')
    // A wrong password shows the server's message and stays on the page.
    await page.fill('input[name=username]', 'admin')
    await page.fill('input[name=password]', 'wrong-password')
    await page.click('[data-testid=login-submit]')
    await page.locator('[data-testid=login-error]').waitFor()
    assert.match(await text(page.locator('[data-testid=login-error]')), /\S/)
    await page.fill('input[name=password]', '123456')
    await page.click('[data-testid=login-submit]')
    const dialog = page.locator('.el-dialog', { hasText: '请先修改初始密码' })
    await dialog.waitFor()
    await snap('forced-password-change')
    await dialog.locator('input[name=old_password]').fill('123456')
    await dialog.locator('input[name=new_password]').fill(NEW_PASSWORD)
    await dialog.locator('input[name=repeat_password]').fill(NEW_PASSWORD)
    await dialog.locator('[data-testid=password-submit]').click()
    await dialog.waitFor({ state: 'hidden' })
    await page.locator('[data-testid=card-agents]').waitFor()
  })

  await step(t, 'dashboard and agents: the local agent is online', async () => {
    await page.click('[data-testid=menu-agents]')
    await page.waitForURL(/\/agents$/)
    const table = page.locator('[data-testid=agent-table]')
    // The agent registers within a few seconds of start; the page refreshes itself.
    for (let i = 0; i < 30 && !(await table.getByText('在线').count()); i++) {
      await sleep(1000)
      if (i % 5 === 4) await page.reload()
    }
    await table.getByText('在线').first().waitFor()
    await snap('agents')
    await page.click('[data-testid=menu-dashboard]')
    await page.locator('[data-testid=card-agents]').waitFor()
    assert.equal((await text(page.locator('[data-testid=card-agents] .num'))), '1')
    await sleep(500)
    await snap('dashboard')
  })

  let appId = 0
  await step(t, 'create an app on the local agent, start it, see it running', async () => {
    await page.click('[data-testid=menu-apps]')
    await page.waitForURL(/\/apps$/)
    await page.locator('[data-testid=task-table]').waitFor()
    await snap('apps-empty')
    await page.click('[data-testid=add]')
    const form = page.locator('.el-dialog', { hasText: '新增应用' })
    await form.waitFor()
    await form.locator('[data-testid=f-name]').fill('e2e-tick')
    await form.locator('[data-testid=f-program]').fill('/bin/sh')
    await form.locator('[data-testid=f-args]').fill(`-c 'while true; do echo tick $(date +%s); sleep 1; done'`)
    await form.locator('[data-testid=f-dir]').fill(tmp)
    await form.locator('[data-testid=f-stdout]').fill(tick)
    await form.locator('[data-testid=f-stderr]').fill(join(tmp, 'tick.err'))
    // The only online agent is chosen already.
    await form.locator('.el-select', { hasText: /127\.0\.0\.1:\d+/ }).first().waitFor()
    await snap('app-form')
    await form.locator('[data-testid=f-submit]').click()
    await form.waitFor({ state: 'hidden' })
    const link = page.locator('[data-testid^=task-link-]', { hasText: 'e2e-tick' })
    await link.waitFor()
    appId = Number((await link.getAttribute('data-testid')).replace('task-link-', ''))
    assert.ok(appId > 0)
    await page.click(`[data-testid=start-${appId}]`)
    await page.locator(`[data-testid=task-state-${appId}] [data-state=running]`).waitFor({ timeout: 30000 })
    await snap('apps-running')
  })

  await step(t, "the app's page shows its live output", async () => {
    await page.click(`[data-testid=task-link-${appId}]`)
    await page.waitForURL(new RegExp(`/apps/${appId}$`))
    await page.locator('[data-testid=detail-state] [data-state=running]').waitFor()
    const log = page.locator('[data-testid=log-out]')
    await log.getByText(/^tick \d+$/).first().waitFor({ timeout: 20000 })
    await page.locator('[data-testid=log-live-out]', { hasText: '实时' }).waitFor({ timeout: 20000 })
    // New lines arrive over SSE while the page stays open.
    const seen = await log.locator('.line').count()
    const last = await text(log.locator('.line').last())
    await page.waitForFunction(
      ([n, prev]) => {
        const lines = document.querySelectorAll('[data-testid=log-out] .line')
        return lines.length > n && lines[lines.length - 1].textContent.trim() !== prev
      },
      [seen, last],
      { timeout: 20000 },
    )
    const lines = (await log.locator('.line').allInnerTexts()).map((s) => s.trim())
    assert.ok(lines.every((l) => /^tick \d+$/.test(l)), `unexpected log lines: ${lines.slice(-5).join(' | ')}`)
    assert.equal(new Set(lines).size, lines.length, 'a log line is shown twice')
    const pid = await text(page.locator('[data-testid=detail-pid]'))
    assert.match(pid, /^\d+$/)
    await sleep(1500)
    await snap('app-detail')
  })

  await step(t, 'pause the app and see it paused', async () => {
    await page.click('[data-testid=detail-pause]')
    await page.locator('[data-testid=detail-state] [data-state=paused]').waitFor({ timeout: 30000 })
    await page.locator('[data-testid=detail-start]').waitFor()
    await page.locator('[data-testid=detail-pid]', { hasText: '-' }).waitFor({ timeout: 20000 })
    await snap('app-paused')
  })

  let jobId = 0
  await step(t, 'create a job: a bad spec shows the server message, a good one previews five times', async () => {
    await page.click('[data-testid=menu-jobs]')
    await page.waitForURL(/\/jobs$/)
    await page.click('[data-testid=add]')
    const form = page.locator('.el-dialog', { hasText: '新增计划任务' })
    await form.waitFor()
    await form.locator('[data-testid=f-name]').fill('e2e-job')
    await form.locator('[data-testid=f-spec]').fill('61 * * * *')
    await form.locator('.el-form-item__error', { hasText: /minute|分/ }).waitFor()
    await snap('job-form-bad-spec')
    await form.locator('[data-testid=f-spec]').fill('@every 2s')
    await form.locator('[data-testid=cron-preview] li').nth(4).waitFor()
    assert.equal(await form.locator('[data-testid=cron-preview] li').count(), 5)
    await form.locator('[data-testid=f-program]').fill('/bin/echo')
    await form.locator('[data-testid=f-args]').fill('job-ran')
    await form.locator('[data-testid=f-stdout]').fill(join(tmp, 'job.out'))
    await form.locator('[data-testid=f-stderr]').fill(join(tmp, 'job.err'))
    await snap('job-form')
    await form.locator('[data-testid=f-submit]').click()
    await form.waitFor({ state: 'hidden' })
    const link = page.locator('[data-testid^=task-link-]', { hasText: 'e2e-job' })
    await link.waitFor()
    jobId = Number((await link.getAttribute('data-testid')).replace('task-link-', ''))
    await page.click(`[data-testid=start-${jobId}]`)
    await page.locator(`[data-testid=pause-${jobId}]`).waitFor({ timeout: 20000 })
    await snap('jobs')
  })

  await step(t, "the job's page shows a run in its history", async () => {
    await page.click(`[data-testid=task-link-${jobId}]`)
    await page.waitForURL(new RegExp(`/jobs/${jobId}$`))
    const rows = page.locator('[data-testid=history-table] .el-table__body tr')
    await rows.first().waitFor({ timeout: 40000 })
    await page.locator('[data-testid=log-out]').getByText('job-ran').first().waitFor({ timeout: 20000 })
    await snap('job-detail')
    await page.click('[data-testid=detail-pause]')
    await page.locator('[data-testid=detail-start]').waitFor({ timeout: 20000 })
  })

  await step(t, 'a batch action reports each item', async () => {
    await page.click('[data-testid=menu-apps]')
    await page.waitForURL(/\/apps$/)
    const row = page.locator('.el-table__row', { hasText: 'e2e-tick' })
    await row.locator('.el-checkbox').click()
    await page.click('[data-testid=batch-pause]')
    await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click()
    const dialog = page.locator('.el-dialog', { hasText: '批量操作结果' })
    await dialog.waitFor()
    // The app is paused already: the item's own code and message are shown.
    const item = dialog.locator('.el-table__row', { hasText: 'e2e-tick' })
    await item.waitFor()
    assert.match(await text(item), new RegExp(`^${appId}\\s+e2e-tick\\s+\\d{3}\\s+\\S`))
    await snap('batch-result')
    await dialog.getByRole('button', { name: '关闭', exact: true }).click()
    await dialog.waitFor({ state: 'hidden' })
  })

  await step(t, "the group filter: 'no group' lists the ungrouped tasks, a group its own", async () => {
    // A group and an app in it, through the API with the page's own session.
    await page.evaluate(async () => {
      const call = async (method, path, body) => {
        const r = await fetch(`/api/v1${path}`, {
          method,
          headers: { 'Content-Type': 'application/json' },
          body: body && JSON.stringify(body),
        })
        const j = await r.json()
        if (j.code !== 200) throw new Error(`${method} ${path}: ${j.message}`)
        return j.data
      }
      const group = await call('POST', '/groups', { name: 'e2e-group', status: 1 })
      const agents = await call('GET', '/agents')
      const app = { name: 'e2e-grouped', agent_id: agents.list[0].id, program: '/bin/sleep', args: '1000' }
      await call('POST', '/apps', { ...app, group_id: group.id })
    })
    await page.goto(`${base}/apps`) // loaded again: the filter offers the new group
    const table = page.locator('[data-testid=task-table]')
    await table.locator('.el-table__row', { hasText: 'e2e-grouped' }).waitFor()
    const choose = async (label) => {
      await page.click('[data-testid=filter-group]')
      await page.locator('.el-select-dropdown__item:visible', { hasText: label }).click()
      await page.click('[data-testid=search]')
    }
    await choose('未分组')
    await page.waitForURL(/group_id=-1/)
    await table.locator('.el-table__row', { hasText: 'e2e-tick' }).waitFor()
    await table.locator('.el-table__row', { hasText: 'e2e-grouped' }).waitFor({ state: 'detached' })
    await snap('apps-no-group')
    await choose('e2e-group')
    await table.locator('.el-table__row', { hasText: 'e2e-tick' }).waitFor({ state: 'detached' })
    assert.equal(await table.locator('.el-table__row').count(), 1)
    assert.match(await text(table.locator('.el-table__row')), /e2e-grouped/)
    await page.getByRole('button', { name: '重置' }).click()
    await table.locator('.el-table__row', { hasText: 'e2e-tick' }).waitFor()
  })

  await step(t, 'the other pages render', async () => {
    for (const [menu, path] of [
      ['timings', '/timings'],
      ['groups', '/groups'],
      ['exceptions', '/exceptions'],
      ['operations', '/operations'],
      ['users', '/users'],
    ]) {
      await page.click(`[data-testid=menu-${menu}]`)
      await page.waitForURL(new RegExp(`${path}$`))
      await page.locator('.el-table').first().waitFor()
      await page.waitForFunction(() => !document.querySelector('.el-loading-mask'), null, { timeout: 10000 }).catch(() => {})
      await snap(menu)
    }
    // The operation log recorded what we did.
    await page.click('[data-testid=menu-operations]')
    await page.locator('.el-table').getByText('e2e-tick').first().waitFor()
    // The dashboard counts them.
    await page.click('[data-testid=menu-dashboard]')
    await page.locator('[data-testid=card-jobs] .num', { hasText: '1' }).waitFor()
    await sleep(1000)
    await snap('dashboard-with-tasks')
  })

  await step(t, 'switch to English; the choice is remembered', async () => {
    await page.click('[data-testid=lang-en]')
    await page.locator('[data-testid=menu-apps]', { hasText: 'Apps' }).waitFor()
    assert.equal(await text(page.locator('[data-testid=menu-jobs]')), 'Jobs')
    assert.equal(await page.evaluate(() => localStorage.getItem('asgard_lang')), 'en')
    await page.reload()
    await page.locator('[data-testid=menu-dashboard]', { hasText: 'Dashboard' }).waitFor()
    await page.click('[data-testid=menu-apps]')
    await page.locator(`[data-testid=task-state-${appId}] [data-state=paused]`, { hasText: 'Paused' }).waitFor()
    await snap('apps-english')
    await page.click('[data-testid=user-menu]')
    await page.getByText('Profile', { exact: true }).click()
    await page.waitForURL(/\/profile$/)
    await page.locator('[data-testid=profile-password]').waitFor()
    await snap('profile')
  })

  await step(t, 'log out: back to the login page, and the session is gone', async () => {
    await page.click('[data-testid=logout]')
    await page.waitForURL(/\/login/)
    await page.locator('input[name=username]').waitFor()
    await page.goto(`${base}/apps`)
    await page.waitForURL(/\/login/)
    const r = await page.evaluate(async () => (await fetch('/api/v1/auth/info')).status)
    assert.equal(r, 401)
    await snap('logged-out')
  })

  assert.equal(broken, false, 'a step failed')
  assert.deepEqual(pageErrors, [], 'uncaught errors in the page')
  passed = true
})
