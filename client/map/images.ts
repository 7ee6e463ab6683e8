// Images the map draws with: alert icons, unit names, cluster counts. All drawn on a canvas in
// the browser with the system's fonts (fonts-noto-cjk on Debian), so the map needs no sprite and
// no glyph files, and nothing is fetched.
import type { AlertKind } from '../../shared/domain'
import { LABEL_LEVELS, LABEL_LINE_HEIGHT, LABEL_STYLE, labelLines, type LabelLevel } from './label-text'
import { ALERT_COLOR } from './layers/events'
import { IMAGE_PREFIX } from './layer-ids'

export interface RasterImage {
  width: number
  height: number
  data: Uint8ClampedArray
}

export const MAP_FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
/** Alert icons' size in CSS pixels at the stage's scale. */
export const ALERT_ICON_SIZE = 34

type Ctx = CanvasRenderingContext2D

function context(width: number, height: number): { canvas: HTMLCanvasElement; ctx: Ctx } | null {
  if (typeof document === 'undefined') return null
  const canvas = document.createElement('canvas')
  canvas.width = Math.max(1, Math.ceil(width))
  canvas.height = Math.max(1, Math.ceil(height))
  const ctx = canvas.getContext('2d')
  return ctx ? { canvas, ctx } : null
}

function raster(ctx: Ctx, width: number, height: number): RasterImage {
  const image = ctx.getImageData(0, 0, width, height)
  return { width: image.width, height: image.height, data: image.data }
}

/** A white pictogram per kind, in a unit square (0..1), on the current transform. */
function pictogram(ctx: Ctx, kind: AlertKind): void {
  ctx.fillStyle = '#ffffff'
  ctx.strokeStyle = '#ffffff'
  ctx.lineWidth = 0.08
  ctx.lineCap = 'round'
  ctx.lineJoin = 'round'
  ctx.beginPath()
  switch (kind) {
    case 'smoke_fire':
      ctx.moveTo(0.5, 0.1)
      ctx.bezierCurveTo(0.62, 0.32, 0.8, 0.42, 0.76, 0.66)
      ctx.bezierCurveTo(0.73, 0.84, 0.6, 0.9, 0.5, 0.9)
      ctx.bezierCurveTo(0.38, 0.9, 0.25, 0.82, 0.24, 0.64)
      ctx.bezierCurveTo(0.23, 0.5, 0.32, 0.42, 0.36, 0.3)
      ctx.bezierCurveTo(0.42, 0.4, 0.44, 0.46, 0.48, 0.5)
      ctx.bezierCurveTo(0.52, 0.38, 0.52, 0.24, 0.5, 0.1)
      ctx.fill()
      break
    case 'flying_wire_charging':
      ctx.moveTo(0.58, 0.08)
      ctx.lineTo(0.26, 0.56)
      ctx.lineTo(0.47, 0.56)
      ctx.lineTo(0.4, 0.92)
      ctx.lineTo(0.74, 0.42)
      ctx.lineTo(0.53, 0.42)
      ctx.closePath()
      ctx.fill()
      break
    case 'manhole_anomaly':
      ctx.arc(0.5, 0.5, 0.34, 0, Math.PI * 2)
      ctx.stroke()
      ctx.beginPath()
      for (const d of [-0.14, 0, 0.14]) {
        ctx.moveTo(0.5 + d, 0.22)
        ctx.lineTo(0.5 + d, 0.78)
        ctx.moveTo(0.22, 0.5 + d)
        ctx.lineTo(0.78, 0.5 + d)
      }
      ctx.lineWidth = 0.05
      ctx.stroke()
      break
    case 'high_altitude_throwing':
      ctx.strokeRect(0.16, 0.14, 0.32, 0.74)
      ctx.fillRect(0.24, 0.24, 0.06, 0.08)
      ctx.fillRect(0.34, 0.24, 0.06, 0.08)
      ctx.fillRect(0.24, 0.42, 0.06, 0.08)
      ctx.fillRect(0.34, 0.42, 0.06, 0.08)
      ctx.fillRect(0.6, 0.14, 0.16, 0.14)
      ctx.beginPath()
      ctx.moveTo(0.68, 0.34)
      ctx.lineTo(0.68, 0.82)
      ctx.moveTo(0.56, 0.7)
      ctx.lineTo(0.68, 0.84)
      ctx.lineTo(0.8, 0.7)
      ctx.stroke()
      break
    case 'ebike_in_elevator':
      ctx.lineWidth = 0.06
      ctx.strokeRect(0.18, 0.1, 0.64, 0.8)
      ctx.beginPath()
      ctx.moveTo(0.5, 0.1)
      ctx.lineTo(0.5, 0.44)
      ctx.stroke()
      ctx.beginPath()
      ctx.arc(0.34, 0.7, 0.09, 0, Math.PI * 2)
      ctx.moveTo(0.75, 0.7)
      ctx.arc(0.66, 0.7, 0.09, 0, Math.PI * 2)
      ctx.moveTo(0.34, 0.7)
      ctx.lineTo(0.48, 0.54)
      ctx.lineTo(0.66, 0.7)
      ctx.stroke()
      break
    case 'crowd_gathering':
      for (const [x, y, r] of [
        [0.27, 0.4, 0.09],
        [0.73, 0.4, 0.09],
        [0.5, 0.32, 0.11],
      ] as const) {
        ctx.moveTo(x + r, y)
        ctx.arc(x, y, r, 0, Math.PI * 2)
      }
      ctx.fill()
      ctx.beginPath()
      ctx.ellipse(0.27, 0.72, 0.15, 0.16, 0, Math.PI, 0)
      ctx.ellipse(0.73, 0.72, 0.15, 0.16, 0, Math.PI, 0)
      ctx.fill()
      ctx.beginPath()
      ctx.ellipse(0.5, 0.72, 0.19, 0.22, 0, Math.PI, 0)
      ctx.fill()
      break
  }
}

/** The icon of an alert kind: a magenta disc with a white ring and the kind's pictogram. */
function paintAlertIcon(ctx: Ctx, kind: AlertKind, size: number): void {
  const r = size / 2
  ctx.beginPath()
  ctx.arc(r, r, r - 1, 0, Math.PI * 2)
  ctx.fillStyle = ALERT_COLOR
  ctx.fill()
  ctx.lineWidth = Math.max(1.5, size * 0.07)
  ctx.strokeStyle = '#ffffff'
  ctx.stroke()
  ctx.save()
  const inset = size * 0.2
  ctx.translate(inset, inset)
  ctx.scale(size - 2 * inset, size - 2 * inset)
  pictogram(ctx, kind)
  ctx.restore()
}

export function drawAlertIcon(kind: AlertKind, pixelRatio: number, size = ALERT_ICON_SIZE): RasterImage | null {
  const px = Math.round(size * pixelRatio)
  const c = context(px, px)
  if (!c) return null
  paintAlertIcon(c.ctx, kind, px)
  return raster(c.ctx, px, px)
}

const iconUrls = new Map<string, string>()

/** The same icon as a data URL for the alert panel (cached: six kinds, a few sizes). */
export function alertIconDataUrl(kind: AlertKind, size: number): string | null {
  const key = `${kind}:${size}`
  const cached = iconUrls.get(key)
  if (cached) return cached
  const c = context(size, size)
  if (!c) return null
  paintAlertIcon(c.ctx, kind, size)
  const url = c.canvas.toDataURL('image/png')
  iconUrls.set(key, url)
  return url
}

/** A unit's name with a dark halo, readable over any grid colour; a long name on two lines. */
export function drawLabel(text: string, level: LabelLevel, pixelRatio: number): RasterImage | null {
  const style = LABEL_STYLE[level]
  const font = `${style.weight} ${style.size * pixelRatio}px ${MAP_FONT}`
  const probe = context(1, 1)
  if (!probe) return null
  probe.ctx.font = font
  const lines = labelLines(text)
  const pad = (style.halo + 2) * pixelRatio
  const lineHeight = style.size * LABEL_LINE_HEIGHT * pixelRatio
  const width = Math.ceil(Math.max(...lines.map((l) => probe.ctx.measureText(l).width)) + 2 * pad)
  const height = Math.ceil(lines.length * lineHeight + 2 * pad)
  const c = context(width, height)!
  const { ctx } = c
  ctx.font = font
  ctx.textAlign = 'center'
  ctx.textBaseline = 'middle'
  ctx.lineJoin = 'round'
  ctx.lineWidth = style.halo * pixelRatio
  ctx.strokeStyle = 'rgba(8, 14, 26, 0.92)'
  ctx.fillStyle = style.colour
  // Every halo first: a second line's halo never covers the first line's letters.
  lines.forEach((line, i) => ctx.strokeText(line, width / 2, pad + lineHeight * (i + 0.5)))
  lines.forEach((line, i) => ctx.fillText(line, width / 2, pad + lineHeight * (i + 0.5)))
  return raster(ctx, width, height)
}

/** Type size of a cluster's count in CSS px (a map label: 16 at least). */
export const COUNT_FONT_SIZE = 18

/** The number on a cluster of requests. */
export function drawCount(count: string, pixelRatio: number): RasterImage | null {
  const size = COUNT_FONT_SIZE * pixelRatio
  const font = `700 ${size}px ${MAP_FONT}`
  const probe = context(1, 1)
  if (!probe) return null
  probe.ctx.font = font
  const width = Math.ceil(probe.ctx.measureText(count).width + 6 * pixelRatio)
  const height = Math.ceil(size * 1.4)
  const c = context(width, height)!
  const { ctx } = c
  ctx.font = font
  ctx.textAlign = 'center'
  ctx.textBaseline = 'middle'
  ctx.fillStyle = '#ffffff'
  ctx.fillText(count, width / 2, height / 2 + pixelRatio)
  return raster(ctx, width, height)
}

/** Draws whatever image id the style asks for (see `IMAGE_PREFIX`); null for unknown ids. */
export function drawImage(id: string, pixelRatio: number): RasterImage | null {
  if (id.startsWith(IMAGE_PREFIX.alert)) return drawAlertIcon(id.slice(IMAGE_PREFIX.alert.length) as AlertKind, pixelRatio)
  if (id.startsWith(IMAGE_PREFIX.count)) return drawCount(id.slice(IMAGE_PREFIX.count.length), pixelRatio)
  if (id.startsWith(IMAGE_PREFIX.label)) {
    const rest = id.slice(IMAGE_PREFIX.label.length)
    const colon = rest.indexOf(':')
    const level = rest.slice(0, colon)
    if ((LABEL_LEVELS as readonly string[]).includes(level)) return drawLabel(rest.slice(colon + 1), level as LabelLevel, pixelRatio)
  }
  return null
}
