// Prints the size of the built console (web-ui/dist): every file's bytes and gzip bytes, and the
// totals, so a change that bloats the bundle shows in the build log.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

const dist = fileURLToPath(new URL('../dist', import.meta.url))
const rows = []
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p)
    else {
      const buf = readFileSync(p)
      rows.push({ file: relative(dist, p), bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length })
    }
  }
}
walk(dist)
rows.sort((a, b) => b.bytes - a.bytes)
let bytes = 0
let gzip = 0
for (const r of rows) {
  bytes += r.bytes
  gzip += r.gzip
}
const w = Math.max(...rows.map((r) => r.file.length), 5)
for (const r of rows.slice(0, 15)) {
  console.log(`${r.file.padEnd(w)}  ${String(r.bytes).padStart(9)} B  ${String(r.gzip).padStart(8)} B gzip`)
}
if (rows.length > 15) console.log(`... and ${rows.length - 15} smaller files`)
console.log(`dist: ${rows.length} files, ${bytes} bytes, ${gzip} bytes gzip`)
