import { watch } from 'vue'
import type { LiveEvent } from '../../shared/events'

/**
 * Calls `fn` with the events that appeared at the head of a newest-first list (the live store's
 * `recent`) since the last look, newest first. The first look only sets the mark: what was there
 * before is not news. A fresh snapshot empties the list, so what follows it is news again.
 */
export function useNewEvents(source: () => readonly LiveEvent[], fn: (fresh: LiveEvent[]) => void): void {
  let seenHead: LiveEvent | undefined
  watch(
    source,
    (list, previous) => {
      const fresh: LiveEvent[] = []
      for (const e of list) {
        if (e === seenHead) break
        fresh.push(e)
      }
      seenHead = list[0]
      // When the mark fell out of the list (more news than it holds), all of the list is new.
      if (previous !== undefined && fresh.length > 0) fn(fresh)
    },
    { immediate: true },
  )
}
