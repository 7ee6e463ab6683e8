// Prints a report page to PDF with Debian's Chromium through playwright-core (npm run report, and
// the PDF test): the page served by an Outpost server, opened with a session cookie, printed on A4
// with the page's own print CSS.
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { SESSION_COOKIE } from '../plugins/auth'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export class PrintError extends Error {}

export interface PrintOptions {
  /** The server's origin: http://127.0.0.1:<port>. */
  baseUrl: string
  /** A session token for the page (the center's). */
  sessionToken: string
  /** `/report?unit=…&period=…&date=…`. */
  path: string
  /** How long to wait for the page to finish (ms). */
  timeoutMs?: number
}

/** The PDF's bytes; a PrintError with the page's own message when it shows one instead of a report. */
export async function printReportPdf(options: PrintOptions): Promise<Buffer> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new PrintError(`no Chromium at ${CHROMIUM_PATH}: PDF output needs Debian's chromium (apt install chromium), or CHROMIUM_PATH naming one`)
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const context = await browser.newContext()
    await context.addCookies([{ name: SESSION_COOKIE, value: options.sessionToken, url: options.baseUrl }])
    const page = await context.newPage()
    await page.goto(`${options.baseUrl}${options.path}`)
    await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true', undefined, { timeout: options.timeoutMs ?? 60_000 })
    const problem = page.locator('[data-testid="report-problem"]')
    if ((await problem.count()) > 0) throw new PrintError(`the report page says: ${await problem.innerText()}`)
    await page.emulateMedia({ media: 'print' })
    await page.evaluate(() => document.fonts.ready)
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true })
  } finally {
    await browser.close()
  }
}
