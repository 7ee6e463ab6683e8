import { createRouter, createWebHistory, type RouteLocation, type RouteRecordRaw, type RouterHistory } from 'vue-router'
import { loginLocation } from './lib/login'
import { getSession, type SessionCheck } from './stores/session'

// Keeps `?lang=` and `?scene=` across the redirect, so a reload shows the same thing.
const toWall = (to: RouteLocation) => ({ path: '/wall', query: to.query, hash: to.hash })

// Each view is its own chunk: the kiosk must not carry MapLibre.
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: toWall },
  { path: '/wall', name: 'wall', component: () => import('./views/WallView.vue'), meta: { titleKey: 'wall.title' } },
  { path: '/leader', name: 'leader', component: () => import('./views/LeaderView.vue'), meta: { titleKey: 'leader.title' } },
  // The request page shares the leader's chunk and shell (header, session, geography).
  { path: '/leader/requests/:id', name: 'leader-request', component: () => import('./views/LeaderView.vue'), meta: { titleKey: 'leader.request.title' } },
  { path: '/console', name: 'console', component: () => import('./views/ConsoleView.vue'), meta: { titleKey: 'console.title' } },
  { path: '/console/admin', name: 'console-admin', component: () => import('./views/ConsoleView.vue'), meta: { titleKey: 'console.adminTitle' } },
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { titleKey: 'login.title' } },
  { path: '/report', name: 'report', component: () => import('./views/ReportView.vue'), meta: { titleKey: 'report.pageTitle' } },
  { path: '/kiosk', name: 'kiosk', component: () => import('./views/KioskView.vue'), meta: { titleKey: 'kiosk.title' } },
  { path: '/:pathMatch(.*)*', redirect: toWall },
]

/** Pages that need a logged-in user (the kiosk is public). */
const PROTECTED = new Set(['wall', 'leader', 'leader-request', 'console', 'console-admin', 'report'])
/** The leader's pages count as one: moving between them needs no new check. */
const area = (name: unknown) => (name === 'leader-request' ? 'leader' : name === 'console-admin' ? 'console' : name)

export interface AppRouterOptions {
  /** Who is logged in; `GET /api/v1/session` by default. */
  checkSession?: () => Promise<SessionCheck>
}

export function createAppRouter(history: RouterHistory = createWebHistory(), options: AppRouterOptions = {}) {
  const router = createRouter({ history, routes })
  const checkSession = options.checkSession ?? (() => getSession())
  // Only a 401 sends the user to log in: a network blip or an older server without sessions lets
  // the page open, and its own calls meet any 401 later. A drill-down (the same page, another
  // query) is not checked again.
  router.beforeEach(async (to, from) => {
    if (typeof to.name !== 'string' || !PROTECTED.has(to.name)) return true
    if (from.matched.length > 0 && area(from.name) === area(to.name)) return true
    const check = await checkSession()
    return check.status === 'unauthenticated' ? loginLocation(to.fullPath, to.query.lang) : true
  })
  return router
}
