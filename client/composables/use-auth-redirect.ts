import { useRoute, useRouter } from 'vue-router'
import { loginLocation } from '../lib/login'
import { useSessionStore } from '../stores/session'

/** What a page does on a 401: forget the user and go to the login page, which brings them back. */
export function useAuthRedirect() {
  const route = useRoute()
  const router = useRouter()
  const session = useSessionStore()
  return function toLogin(): void {
    session.clear()
    void router.replace(loginLocation(route.fullPath, route.query.lang))
  }
}
