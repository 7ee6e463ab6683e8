import { describe, expect, it } from 'vitest'
import { CSV_BOM, csvCell, csvFileName, toCsv } from '../../client/lib/csv'

/** Splits a CSV body (no BOM) into records and fields, honouring quotes: the RFC 4180 reading. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      record.push(field)
      field = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i++
    } else field += c
  }
  if (field !== '' || record.length > 0) throw new Error('the last record does not end with CRLF')
  return records
}

describe('CSV for Excel', () => {
  it('starts with a UTF-8 byte-order mark and ends every record with CRLF', () => {
    const csv = toCsv(['a', 'b'], [
      [1, 2],
      [3, 4],
    ])
    expect(csv.startsWith(CSV_BOM)).toBe(true)
    expect(csv.charCodeAt(0)).toBe(0xfeff)
    expect(csv.slice(1)).toBe('a,b\r\n1,2\r\n3,4\r\n')
    // The BOM becomes EF BB BF in the downloaded bytes.
    expect([...new TextEncoder().encode(csv).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
  })

  it('quotes fields with commas, quotes and line breaks, doubling inner quotes', () => {
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"')
    expect(csvCell('')).toBe('')
  })

  it('reads back exactly what went in, Chinese included', () => {
    const header = ['名称', '响应率(%)', '备注']
    const rows = [
      ['满城北街街道', 93.5, '楼上夜间装修，"噪音"扰民\r\n已协调'],
      ['阅海社区第1网格', null, '欧阳娜娜, 138****1234'],
    ]
    const csv = toCsv(header, rows)
    expect(parseCsv(csv.slice(1))).toEqual([header, ['满城北街街道', '93.5', '楼上夜间装修，"噪音"扰民\r\n已协调'], ['阅海社区第1网格', '', '欧阳娜娜, 138****1234']])
    const bytes = new TextEncoder().encode(csv)
    expect(new TextDecoder('utf-8').decode(bytes)).toContain('满城北街街道')
  })

  it('writes numbers as numbers and leaves missing values empty', () => {
    expect(csvCell(0)).toBe('0')
    expect(csvCell(-1.5)).toBe('-1.5')
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
    expect(csvCell(Number.NaN)).toBe('')
    expect(csvCell(true)).toBe('true')
  })

  it('never lets text become a spreadsheet formula', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`)
    expect(csvCell('+1')).toBe("'+1")
    expect(csvCell('-2')).toBe("'-2")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('138****1234')).toBe('138****1234')
  })

  it('names the file <table>-<unit>-<date>.csv with nothing unsafe in it', () => {
    expect(csvFileName('children', '640106001', '2026-11-28')).toBe('children-640106001-2026-11-28.csv')
    expect(csvFileName('over/due', '../x', '2026-11-28')).toBe('over_due-.._x-2026-11-28.csv')
  })
})
