// The wall's charts are read from five metres: no text in them under `WALL_MIN_FONT_SIZE`.
// The chart builders (client/charts) serve other screens too; the wall raises their type here.

/** The smallest type on the wall (CSS px at the 1920×1080 stage), map labels and the legend aside. */
export const WALL_MIN_FONT_SIZE = 20

/**
 * A copy of an ECharts option with every `fontSize` below `min` raised to it, and a text style
 * that says so where the option sets none (ECharts' own default is 12). Pure.
 */
export function wallChartOption<T extends object>(option: T, min = WALL_MIN_FONT_SIZE): T {
  const raise = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(raise)
    if (value === null || typeof value !== 'object') return value
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = k === 'fontSize' && typeof v === 'number' ? Math.max(v, min) : raise(v)
    return out
  }
  const raised = raise(option) as Record<string, unknown>
  const textStyle = (raised.textStyle ?? {}) as Record<string, unknown>
  raised.textStyle = { ...textStyle, fontSize: Math.max(typeof textStyle.fontSize === 'number' ? textStyle.fontSize : 0, min) }
  return raised as T
}
