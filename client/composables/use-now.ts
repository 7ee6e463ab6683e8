import { onScopeDispose, ref } from 'vue'

/** The current time (epoch ms), refreshed every `intervalMs`: one timer for the clock and ages. */
export function useNow(intervalMs = 1_000) {
  const now = ref(Date.now())
  const timer = setInterval(() => {
    now.value = Date.now()
  }, intervalMs)
  onScopeDispose(() => clearInterval(timer))
  return now
}
