import { describe, expect, it } from 'vitest'
import { XMLParser } from 'fast-xml-parser'
import { escapeXml, list, toXml } from '../../../server/open311/xml'

describe('the Open311 XML writer', () => {
  it('escapes markup and drops what XML cannot carry, so any stored text stays well-formed', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;')
    expect(escapeXml('a\u0000b\u0008c\ud800d\uffffe\tf')).toBe('abcde\tf')
    const text = '</description><evil>1</evil>&amp;\u0001 网格'
    const xml = toXml('errors', list('error', [{ code: 400, description: text }]))
    const parsed = new XMLParser({ parseTagValue: false, processEntities: true, isArray: (name) => name === 'error' }).parse(xml) as {
      errors: { error: { code: string; description: string }[] }
    }
    expect(parsed.errors.error).toEqual([{ code: '400', description: '</description><evil>1</evil>&amp; 网格' }])
  })

  it('writes null as an empty element, leaves undefined out, and repeats list items', () => {
    expect(toXml('r', { a: null, b: undefined, c: 1.5, d: false, e: list('f', ['x', 'y']) })).toBe(
      '<?xml version="1.0" encoding="utf-8"?><r><a/><c>1.5</c><d>false</d><e><f>x</f><f>y</f></e></r>',
    )
  })

  it('refuses an element name that is not one', () => {
    expect(() => toXml('r', { 'a b': 1 })).toThrow(/not an XML element name/)
  })
})
