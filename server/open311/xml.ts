// A small XML writer for the Open311 replies: elements, text, nothing else. Every text is escaped,
// and characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are
// dropped, so a reply is always well-formed whatever a stored field holds.

/** A value as Open311 writes it: a leaf (null: an empty element), a list of one element name, or a record. */
export type XmlValue = string | number | boolean | null | undefined | XmlList | XmlRecord
export interface XmlRecord {
  [name: string]: XmlValue
}
/** A repeated element: `<services><service>…</service>…</services>` is `{ services: list('service', [...]) }`. */
export interface XmlList {
  readonly item: string
  readonly items: readonly XmlValue[]
}

export function list(item: string, items: readonly XmlValue[]): XmlList {
  return { item, items }
}

const NOT_IN_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

export function escapeXml(text: string): string {
  return text
    .replace(NOT_IN_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/

function isList(value: XmlValue): value is XmlList {
  return typeof value === 'object' && value !== null && 'item' in value && 'items' in value && Array.isArray((value as XmlList).items)
}

function element(name: string, value: XmlValue, out: string[]): void {
  // Names come from this code, never from a caller; a bad one is a bug.
  if (!NAME.test(name)) throw new Error(`not an XML element name: ${name}`)
  if (value === undefined) return
  if (value === null) {
    out.push(`<${name}/>`)
    return
  }
  if (isList(value)) {
    out.push(`<${name}>`)
    for (const item of value.items) element(value.item, item, out)
    out.push(`</${name}>`)
    return
  }
  if (typeof value === 'object') {
    out.push(`<${name}>`)
    for (const [child, v] of Object.entries(value)) element(child, v, out)
    out.push(`</${name}>`)
    return
  }
  out.push(`<${name}>${escapeXml(String(value))}</${name}>`)
}

/** A whole document: the declaration and one root element. */
export function toXml(root: string, value: XmlValue): string {
  const out: string[] = ['<?xml version="1.0" encoding="utf-8"?>']
  element(root, value, out)
  return out.join('')
}
