// Several real Outpost processes (`server/main.ts`, as `npm start` runs it) on one PostgreSQL,
// behind a real nginx, for the tests of the multi-process path. Nothing here is a stand-in: the
// processes are the product's own entry point, the proxy is Debian's nginx with the configuration
// that README "Running several processes" documents (written by `nginxConfig`).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx'

/** A port nobody listens on now (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export interface OutpostProcess {
  port: number
  url: string
  child: ChildProcess
  /** What it printed, stdout and stderr together. */
  output: () => string
  /** SIGKILL: no close hook runs, as when a machine dies. */
  kill9: () => Promise<void>
  /** SIGTERM, then waits for the exit. */
  stop: () => Promise<void>
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
}

/**
 * `server/main.ts` on a port of its own with OUTPOST_DATABASE_URL, the simulator off and a data
 * directory of its own; resolves once it listens.
 */
export async function startOutpost(options: { databaseUrl: string; env?: Record<string, string>; timeoutMs?: number }): Promise<OutpostProcess> {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-node-'))
  let output = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      OUTPOST_SIM: 'off',
      OUTPOST_DATA_DIR: dataDir,
      OUTPOST_DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const cleanup = () => rmSync(dataDir, { recursive: true, force: true })
  child.once('exit', cleanup)
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`outpost on :${port} did not start in ${options.timeoutMs ?? 60_000} ms:\n${output}`)), options.timeoutMs ?? 60_000)
    const onData = () => {
      if (output.includes('outpost: listening on')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', onData)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`outpost on :${port} exited (${code ?? signal}) before listening:\n${output}`))
    })
  })
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    kill9: async () => {
      child.kill('SIGKILL')
      await exited(child)
    },
    stop: async () => {
      child.kill('SIGTERM')
      await exited(child)
    },
  }
}

/**
 * nginx in front of Outpost processes, as README "Running several processes" has it: the API and
 * pages round-robin (a request never needs the process that served the previous one: sessions,
 * keys and limits are in PostgreSQL); `/socket.io/` pinned by client address (`ip_hash`), because
 * the kiosk's Socket.IO starts with HTTP long-polling, whose requests must reach the process that
 * holds the session (the wall and leader use WebSocket only and would need no pinning). A process
 * that refuses connections is passed over for `fail_timeout`; a request it took and did not answer
 * is not sent again unless it is idempotent (nginx's default: no POST is retried elsewhere).
 */
export function nginxConfig(options: { dir: string; port: number; upstreams: number[] }): string {
  const servers = options.upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')
  return `worker_processes 1;
daemon off;
pid ${options.dir}/nginx.pid;
error_log ${options.dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${options.dir}/body;
  proxy_temp_path ${options.dir}/proxy;
  fastcgi_temp_path ${options.dir}/fastcgi;
  uwsgi_temp_path ${options.dir}/uwsgi;
  scgi_temp_path ${options.dir}/scgi;
  client_max_body_size 8m;
  upstream outpost {
${servers}
  }
  upstream outpost_sockets {
    ip_hash;
${servers}
  }
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${options.port};
    proxy_connect_timeout 2s;
    proxy_next_upstream error timeout;
    location /socket.io/ {
      proxy_pass http://outpost_sockets;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;
      proxy_buffering off;
    }
    location / {
      proxy_pass http://outpost;
      proxy_http_version 1.1;
      # A location that sets any header inherits none from above: each sets all of its own.
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header Connection "";
    }
  }
}
`
}

export interface Proxy {
  port: number
  url: string
  stop: () => Promise<void>
}

/** Debian's nginx with `nginxConfig`, in a directory of its own; resolves once it accepts connections. */
export async function startNginx(upstreams: number[]): Promise<Proxy> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-nginx-'))
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub))
  const port = await freePort()
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig({ dir, port, upstreams }))
  let output = ''
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 15_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${output}`)
    const ok = await fetch(`${url}/healthz`).then(
      () => true,
      () => false,
    )
    if (ok) break
    if (Date.now() > deadline) throw new Error(`nginx did not answer on :${port}:\n${output}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    port,
    url,
    stop: async () => {
      child.kill('SIGQUIT')
      await exited(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
