// HTTP byte ranges (RFC 9110 §14) for the base map archive: PMTiles readers fetch the header, the
// directories and each tile as one `Range: bytes=a-b` request.

/** What a Range header asks of a representation of `size` bytes. */
export type RangeAnswer =
  /** No usable range: send the whole file (no header, another unit, or several ranges). */
  | { kind: 'full' }
  /** One satisfiable range, both ends inclusive, clamped to the file. */
  | { kind: 'partial'; start: number; end: number }
  /** A malformed byte range, or one that starts past the end: 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' }

const SPEC = /^(\d*)-(\d*)$/

export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'full' }
  const eq = header.indexOf('=')
  // Another unit (or none): a server must ignore what it does not understand.
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'full' }
  const specs = header.slice(eq + 1).split(',').map((s) => s.trim())
  // Several ranges would need a multipart answer; the whole file is a valid answer too, and no
  // map reader asks for more than one.
  if (specs.length > 1) return specs.every((s) => SPEC.test(s)) ? { kind: 'full' } : { kind: 'unsatisfiable' }
  const match = SPEC.exec(specs[0]!)
  if (!match) return { kind: 'unsatisfiable' }
  const [, first, last] = match as unknown as [string, string, string]
  if (first === '' && last === '') return { kind: 'unsatisfiable' }
  if (first === '') {
    // A suffix: the last N bytes (all of them when N exceeds the size).
    const n = Number(last)
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' }
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Number(last)
  if (end < start || start >= size) return { kind: 'unsatisfiable' }
  return { kind: 'partial', start, end: Math.min(end, size - 1) }
}
