/** Colours and type sizes shared by the wall's charts: dark ground, large type, no animation. */
export const CHART_TEXT = '#cbd5e1'
export const CHART_AXIS = '#334155'
export const CHART_FONT_SIZE = 17
export const CHART_FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif'
