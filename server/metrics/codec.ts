// A small binary writer and reader for the rollup checkpoints (checkpoint.ts): variable-length
// whole numbers, where the rollups' numbers nearly all are (counts, ms, keys), raw doubles
// otherwise, typed arrays as their bytes, and lists of strings as one block. Every number comes
// back exactly as written: a value that is not a whole number of modest size (NaN, -0, a fraction,
// a huge one) is written as its double.

/** Whole numbers below this (in magnitude) are written as variable-length integers. */
const SMALL = 2 ** 50

export class Writer {
  private buffer = Buffer.allocUnsafe(1 << 20)
  private at = 0

  private room(n: number): void {
    if (this.at + n <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < this.at + n) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buffer.copy(next, 0, 0, this.at)
    this.buffer = next
  }

  u8(v: number): void {
    this.room(1)
    this.buffer[this.at++] = v
  }

  /** A whole number in [0, 2^53). */
  uint(v: number): void {
    this.room(8)
    const b = this.buffer
    let at = this.at
    while (v >= 0x80) {
      b[at++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    b[at++] = v
    this.at = at
  }

  f64(v: number): void {
    this.room(8)
    this.buffer.writeDoubleLE(v, this.at)
    this.at += 8
  }

  /** Any number, exactly: a small whole number in a few bytes, anything else as a double. */
  num(v: number): void {
    if (Number.isInteger(v) && v > -SMALL && v < SMALL && !Object.is(v, -0)) this.uint((v >= 0 ? v * 2 : -v * 2 - 1) * 2)
    else {
      this.uint(1)
      this.f64(v)
    }
  }

  /** A typed array's bytes, with their length. */
  bytes(a: ArrayBufferView): void {
    this.uint(a.byteLength)
    this.room(a.byteLength)
    this.buffer.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), this.at)
    this.at += a.byteLength
  }

  /** Strings, exactly (lone surrogates included): one block, Latin-1 when every character fits. */
  strings(list: readonly string[]): void {
    this.uint(list.length)
    for (const s of list) this.uint(s.length)
    const joined = list.join('')
    const wide = /[^\x00-\xff]/.test(joined)
    this.u8(wide ? 1 : 0)
    const encoded = Buffer.from(joined, wide ? 'utf16le' : 'latin1')
    this.bytes(encoded)
  }

  finish(): Buffer {
    return this.buffer.subarray(0, this.at)
  }
}

export class Reader {
  private at = 0

  constructor(private readonly buffer: Buffer) {}

  get done(): boolean {
    return this.at === this.buffer.length
  }

  private need(n: number): void {
    if (this.at + n > this.buffer.length) throw new Error('checkpoint truncated')
  }

  u8(): number {
    this.need(1)
    return this.buffer[this.at++]!
  }

  uint(): number {
    const b = this.buffer
    let v = 0
    let scale = 1
    for (;;) {
      if (this.at >= b.length) throw new Error('checkpoint truncated')
      const byte = b[this.at++]!
      v += (byte & 0x7f) * scale
      if (byte < 0x80) return v
      scale *= 0x80
      if (scale > 2 ** 56) throw new Error('checkpoint: malformed number')
    }
  }

  f64(): number {
    this.need(8)
    const v = this.buffer.readDoubleLE(this.at)
    this.at += 8
    return v
  }

  num(): number {
    const tagged = this.uint()
    if (tagged % 2 === 1) {
      if (tagged !== 1) throw new Error('checkpoint: malformed number')
      return this.f64()
    }
    const z = tagged / 2
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2
  }

  /** A typed array read back into fresh, aligned memory. */
  bytes<T extends ArrayBufferView>(make: (n: number) => T, width: number): T {
    const length = this.uint()
    if (length % width !== 0) throw new Error('checkpoint: malformed array')
    this.need(length)
    const out = make(length / width)
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(this.buffer.subarray(this.at, this.at + length))
    this.at += length
    return out
  }

  strings(): string[] {
    const n = this.uint()
    const lengths = new Array<number>(n)
    for (let i = 0; i < n; i++) lengths[i] = this.uint()
    const wide = this.u8() === 1
    const encoded = this.bytes((k) => new Uint8Array(k), 1)
    const joined = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength).toString(wide ? 'utf16le' : 'latin1')
    const out = new Array<string>(n)
    let at = 0
    for (let i = 0; i < n; i++) {
      out[i] = joined.slice(at, at + lengths[i]!)
      at += lengths[i]!
    }
    if (at !== joined.length) throw new Error('checkpoint: malformed strings')
    return out
  }
}
