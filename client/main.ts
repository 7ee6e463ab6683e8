import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { createAppI18n, localeFromSearch } from './i18n'
import { createAppRouter } from './router'

const locale = localeFromSearch(window.location.search)
const i18n = createAppI18n(locale)
const router = createAppRouter()

document.documentElement.lang = locale
router.afterEach((to) => {
  const { t } = i18n.global
  const key = to.meta.titleKey
  document.title = typeof key === 'string' ? `${t(key)} · ${t('app.name')}` : t('app.name')
})

createApp(App).use(createPinia()).use(i18n).use(router).mount('#app')
