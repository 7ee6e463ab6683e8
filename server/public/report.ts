// The kiosk's "how to report" card: the 12345 hotline and the unit's public office contact
// (inherited from the street or district above when the unit has none), with its QR code drawn
// here as a small SVG, offline, so the kiosk's script carries no QR encoder.
import qrcode from 'qrcode-generator'
import { REPORT_HOTLINE, type PublicReport } from '../../shared/public'
import type { UnitContact } from '../../shared/schemas/directory'
import { inheritedContact } from '../directory/contacts'

const MAX_CACHED = 512
const cache = new Map<string, string>()

const utf8 = (text: string): string => String.fromCharCode(...new TextEncoder().encode(text))

/**
 * A QR code (error correction M, UTF-8 bytes, a quiet zone of 4 modules) as an SVG document: one
 * path of unit squares, black on white whatever the page's colours, scaled by the page.
 */
export function qrSvg(text: string): string {
  const hit = cache.get(text)
  if (hit !== undefined) return hit
  const code = qrcode(0, 'M')
  // The library writes one byte per char code: give it the UTF-8 bytes so 中文 scans right.
  code.addData(utf8(text), 'Byte')
  code.make()
  const n = code.getModuleCount()
  const quiet = 4
  const size = n + 2 * quiet
  let d = ''
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (!code.isDark(row, col)) continue
      // Runs of dark modules in a row as one rectangle: a smaller path.
      let run = 1
      while (col + run < n && code.isDark(row, col + run)) run++
      d += `M${col + quiet} ${row + quiet}h${run}v1h-${run}z`
      col += run - 1
    }
  }
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges">` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${d}"/></svg>`
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!)
  cache.set(text, svg)
  return svg
}

interface Tree {
  get(id: string): { id: string; name: string; level: string; parentId: string | null } | undefined
}

/** What a unit's kiosk shows under "how to report". Only public office contacts ever enter it. */
export function reportFor(geography: Tree, contacts: ReadonlyMap<string, UnitContact>, unitId: string): PublicReport {
  const contact = inheritedContact(geography, contacts, unitId)
  if (!contact) return { hotline: REPORT_HOTLINE, phone: null, hours: null, qrSvg: null, from: null }
  return {
    hotline: REPORT_HOTLINE,
    phone: contact.phone,
    hours: contact.hours ?? null,
    qrSvg: contact.qr === undefined ? null : qrSvg(contact.qr),
    from: { unit: contact.unit, name: geography.get(contact.unit)?.name ?? contact.unit },
  }
}
