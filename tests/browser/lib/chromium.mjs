// Debian's chromium driven by playwright-core (from the console's devDependencies): the browser download
// of Playwright does not work here, so the system browser is launched with a fresh profile each time.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const require = createRequire(join(ROOT, 'services', 'console', 'web', 'package.json'))
const { chromium } = require('playwright-core')

export const CHROMIUM = process.env.GRIDLOOP_CHROMIUM ?? '/usr/bin/chromium'

// No GPU, no network beyond this machine's loopback, nothing the browser would fetch for itself.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]

/** A headless chromium; Playwright gives each launch a fresh temporary --user-data-dir. */
export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS })
}
