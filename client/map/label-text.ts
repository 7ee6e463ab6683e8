// How a unit's name is set on the map: its style per level, its lines, and the size it takes on
// screen. Pure (no DOM): the label source uses the size to decide from which zoom a name fits in
// its unit, and `images.ts` draws the same lines on a canvas.

export type LabelLevel = 'street' | 'community' | 'grid'

export const LABEL_LEVELS: readonly LabelLevel[] = ['street', 'community', 'grid']

/** Type size (CSS px at the stage's scale, 16 at least), weight, colour and halo per level: read from across a room. */
export const LABEL_STYLE = {
  street: { size: 24, weight: 700, colour: '#ffffff', halo: 5 },
  community: { size: 18, weight: 600, colour: '#dbeafe', halo: 4 },
  grid: { size: 16, weight: 600, colour: '#e2e8f0', halo: 4 },
} as const satisfies Record<LabelLevel, { size: number; weight: number; colour: string; halo: number }>

/** A line holds at most this many em (eight CJK characters): longer names take two lines. */
export const LABEL_LINE_EM = 8
export const LABEL_MAX_LINES = 2
const ELLIPSIS = '…'
const LINE_HEIGHT = 1.3

/** Width of a character in em: CJK and other wide characters 1, Latin and digits about 0.6. */
export function charEm(ch: string): number {
  const code = ch.codePointAt(0) ?? 0
  if (code < 0x1100) return ch === ' ' ? 0.3 : 0.6
  // Hangul, CJK, Hiragana/Katakana, full-width forms, and anything in the astral planes.
  return 1
}

const widthEm = (chars: readonly string[]) => chars.reduce((sum, ch) => sum + charEm(ch), 0)

/**
 * The name's lines: one when it fits, else two of about equal width, broken at a space when the
 * name has one near the middle (Latin names), else between characters; what does not fit on the
 * second line ends in "…". Long imported names ("…街道办事处", "Residential Community No. 3 of …")
 * stay a compact block instead of a bar across the map.
 */
export function labelLines(text: string, maxEm = LABEL_LINE_EM): string[] {
  const chars = Array.from(text.trim().replace(/\s+/g, ' '))
  const total = widthEm(chars)
  if (total <= maxEm) return [chars.join('')]
  const target = Math.min(maxEm, total / 2)
  // The character index where the first line reaches `target`.
  let cut = 0
  for (let w = 0; cut < chars.length && w + charEm(chars[cut]!) <= target; cut++) w += charEm(chars[cut]!)
  // A space within a few characters of it is a better place to break.
  let space = -1
  for (let i = Math.max(1, cut - 6); i <= Math.min(chars.length - 1, cut + 2); i++) {
    if (chars[i] === ' ' && widthEm(chars.slice(0, i)) <= maxEm && (space === -1 || Math.abs(i - cut) < Math.abs(space - cut))) space = i
  }
  const first = space > 0 ? chars.slice(0, space) : chars.slice(0, Math.max(1, cut))
  let rest = space > 0 ? chars.slice(space + 1) : chars.slice(Math.max(1, cut))
  if (widthEm(rest) > maxEm) {
    const room = maxEm - charEm(ELLIPSIS)
    const kept: string[] = []
    for (let w = 0, i = 0; i < rest.length && w + charEm(rest[i]!) <= room; i++) {
      w += charEm(rest[i]!)
      kept.push(rest[i]!)
    }
    rest = [...Array.from(kept.join('').trimEnd()), ELLIPSIS]
  }
  return [first.join('').trimEnd(), rest.join('').trimStart()].slice(0, LABEL_MAX_LINES)
}

/** The size of a name's image in CSS px (estimated from the characters: no canvas needed). */
export function labelSize(text: string, level: LabelLevel): { width: number; height: number } {
  const style = LABEL_STYLE[level]
  const lines = labelLines(text)
  const pad = style.halo + 2
  return {
    width: Math.ceil(Math.max(...lines.map((l) => widthEm(Array.from(l)))) * style.size + 2 * pad),
    height: Math.ceil(lines.length * style.size * LINE_HEIGHT + 2 * pad),
  }
}

/** Line height in em, shared with the canvas that draws the lines. */
export const LABEL_LINE_HEIGHT = LINE_HEIGHT

/**
 * What a unit's name says on the map: without its parent's name in front, which the map shows
 * already ("金凤区满城北街街道" under 金凤区 is "满城北街街道", "长城社区第3网格" under 长城社区 is
 * "第3网格"): imported names often repeat the whole path, and only the rest tells neighbours apart.
 */
export function labelText(name: string, parentName: string | null | undefined): string {
  const trimmed = name.trim()
  if (!parentName || !trimmed.startsWith(parentName)) return trimmed
  const rest = trimmed.slice(parentName.length).replace(/^[\s\-–—·・/|:：,，]+/u, '')
  return rest.length > 0 ? rest : trimmed
}
