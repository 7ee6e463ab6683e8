import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'

/**
 * Chromium's PDFs of Noto CJK map some characters to their radical look-alikes: Kangxi radicals
 * (⾦ for 金, which NFKC folds back) and CJK Radicals Supplement forms (⻩ for 黄, which it does not).
 */
const RADICALS: Record<string, string> = {
  '⻩': '黄', '⺠': '民', '⻜': '飞', '⻓': '长', '⻋': '车', '⻔': '门', '⻢': '马', '⻅': '见', '⻛': '风',
  '⻚': '页', '⻉': '贝', '⻄': '西', '⻘': '青', '⻝': '食', '⻣': '骨', '⻥': '鱼', '⻦': '鸟', '⻬': '齐',
  '⻮': '齿', '⻰': '龙', '⻳': '龟', '⻆': '角', '⺟': '母', '⺩': '王', '⻨': '麦',
}

/** A PDF's page count and its text, page by page, as a reader would copy it. */
export async function pdfText(pdf: Uint8Array): Promise<{ pages: number; text: string[]; width: number; height: number }> {
  const doc = await getDocument({ data: pdf, useSystemFonts: false }).promise
  try {
    const text: string[] = []
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent()
      const raw = content.items.map((item) => ('str' in item ? item.str : '')).join('')
      text.push([...raw.normalize('NFKC')].map((c) => RADICALS[c] ?? c).join(''))
    }
    const viewport = (await doc.getPage(1)).getViewport({ scale: 1 })
    return { pages: doc.numPages, text, width: viewport.width, height: viewport.height }
  } finally {
    await doc.destroy()
  }
}
