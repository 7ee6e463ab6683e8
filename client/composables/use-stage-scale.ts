import { onScopeDispose, ref } from 'vue'

/** The wall is designed on one 1920×1080 canvas and scaled to the screen it runs on. */
export const STAGE_WIDTH = 1920
export const STAGE_HEIGHT = 1080

export interface StageFit {
  /** CSS scale of the stage: 1 on 1080p, 2 on 4K. */
  scale: number
  /** Offsets that centre it (letterbox bars on screens of another shape). */
  x: number
  y: number
}

/** The largest scale at which the whole stage fits the viewport, centred. */
export function fitStage(viewportWidth: number, viewportHeight: number, width = STAGE_WIDTH, height = STAGE_HEIGHT): StageFit {
  const scale = Math.max(0.01, Math.min(viewportWidth / width, viewportHeight / height))
  return { scale, x: Math.max(0, (viewportWidth - width * scale) / 2), y: Math.max(0, (viewportHeight - height * scale) / 2) }
}

/** The stage's fit to the window, kept current on resize. */
export function useStageScale() {
  const measure = () => fitStage(window.innerWidth, window.innerHeight)
  const fit = ref<StageFit>(measure())
  const onResize = () => {
    fit.value = measure()
  }
  window.addEventListener('resize', onResize)
  onScopeDispose(() => window.removeEventListener('resize', onResize))
  return fit
}
