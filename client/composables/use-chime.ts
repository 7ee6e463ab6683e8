import { onScopeDispose } from 'vue'

type AudioContextConstructor = new () => AudioContext

/**
 * A short two-tone chime through WebAudio (no sound file to fetch). Off unless the wall asks for it
 * (`?chime=on`); the audio context is created on first use and closed with the wall.
 */
export function useChime(enabled: () => boolean, Ctor: AudioContextConstructor | undefined = globalThis.AudioContext) {
  let ctx: AudioContext | null = null

  function play(): void {
    if (!enabled() || !Ctor) return
    try {
      ctx ??= new Ctor()
      if (ctx.state === 'suspended') void ctx.resume()
      const start = ctx.currentTime
      for (const [i, freq] of [880, 660].entries()) {
        const osc = ctx.createOscillator()
        const gain = ctx.createGain()
        const t = start + i * 0.22
        osc.type = 'sine'
        osc.frequency.value = freq
        gain.gain.setValueAtTime(0.0001, t)
        gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02)
        gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.2)
        osc.connect(gain).connect(ctx.destination)
        osc.start(t)
        osc.stop(t + 0.22)
      }
    } catch {
      // A screen without audio output is still a wall.
    }
  }

  onScopeDispose(() => {
    void ctx?.close()
    ctx = null
  })

  return { play }
}
