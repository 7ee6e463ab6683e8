import { createRouter, createWebHistory, type RouteLocation, type RouteRecordRaw, type RouterHistory } from 'vue-router'

// Keeps `?lang=` and `?scene=` across the redirect, so a reload shows the same thing.
const toWall = (to: RouteLocation) => ({ path: '/wall', query: to.query, hash: to.hash })

// Each view is its own chunk: the kiosk must not carry MapLibre.
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: toWall },
  { path: '/wall', name: 'wall', component: () => import('./views/WallView.vue'), meta: { titleKey: 'wall.title' } },
  { path: '/leader', name: 'leader', component: () => import('./views/LeaderView.vue'), meta: { titleKey: 'leader.title' } },
  { path: '/kiosk', name: 'kiosk', component: () => import('./views/KioskView.vue'), meta: { titleKey: 'kiosk.title' } },
  { path: '/:pathMatch(.*)*', redirect: toWall },
]

export function createAppRouter(history: RouterHistory = createWebHistory()) {
  return createRouter({ history, routes })
}
