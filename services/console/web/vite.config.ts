import { defineConfig, type ProxyOptions } from 'vite'
import vue from '@vitejs/plugin-vue'

// The dev server stands in for the gateway (deploy/nginx/gridloop.conf.tmpl): the same prefixes,
// stripped before proxying to the services of `make up`. GRIDLOOP_DEV_TOKEN (a token from
// `python -m tools.token <person>`) is sent as a bearer header for services that do not read the
// session cookie yet; the built app never sends one.
// The ports follow scripts/stack.sh's variables (INTAKE_PORT, …), the `make up` ones by default.
const port = (name: string, fallback: number) => Number(process.env[`${name.toUpperCase()}_PORT`] ?? fallback)
const upstreams: Record<string, number> = {
  console: port('console', 8005),
  intake: port('intake', 8001),
  handling: port('handling', 8003),
  scoring: port('scoring', 8004),
}
const devToken = process.env.GRIDLOOP_DEV_TOKEN

function proxyFor(name: string, target: number): ProxyOptions {
  return {
    target: `http://127.0.0.1:${target}`,
    rewrite: (path) => path.replace(new RegExp(`^/api/${name}`), ''),
    // Never to the console itself: a bearer header wins over the session cookie there.
    headers: devToken && name !== 'console' ? { Authorization: `Bearer ${devToken}` } : {},
  }
}

export default defineConfig({
  plugins: [vue()],
  server: {
    port: 5173,
    proxy: Object.fromEntries(
      Object.entries(upstreams).map(([name, port]) => [`/api/${name}`, proxyFor(name, port)]),
    ),
  },
  build: {
    target: 'es2022',
    // The size budget is checked by scripts/size.mjs over the gzipped initial chunks.
    chunkSizeWarningLimit: 1500,
  },
})
