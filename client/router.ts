import { createRouter, createWebHistory, type RouteRecordRaw, type RouterHistory } from 'vue-router'

// Each view is its own chunk: the kiosk must not carry MapLibre.
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/wall' },
  { path: '/wall', name: 'wall', component: () => import('./views/WallView.vue'), meta: { titleKey: 'wall.title' } },
  { path: '/leader', name: 'leader', component: () => import('./views/LeaderView.vue'), meta: { titleKey: 'leader.title' } },
  { path: '/kiosk', name: 'kiosk', component: () => import('./views/KioskView.vue'), meta: { titleKey: 'kiosk.title' } },
  { path: '/:pathMatch(.*)*', redirect: '/wall' },
]

export function createAppRouter(history: RouterHistory = createWebHistory()) {
  return createRouter({ history, routes })
}
