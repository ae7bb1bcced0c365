// Client routes (history mode: `asgard web` falls back to index.html for them). Pages are
// loaded on demand so the first load stays small.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { auth, isAdmin, loadUser } from '@/utils/auth'

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('@/components/AppLayout.vue'),
    children: [
      { path: '', name: 'dashboard', component: () => import('@/views/DashboardView.vue'), meta: { menu: 'dashboard' } },
      { path: 'users', name: 'users', component: () => import('@/views/UsersView.vue'), meta: { menu: 'users', admin: true } },
      { path: 'agents', name: 'agents', component: () => import('@/views/AgentsView.vue'), meta: { menu: 'agents' } },
      { path: 'groups', name: 'groups', component: () => import('@/views/GroupsView.vue'), meta: { menu: 'groups' } },
      { path: 'apps', name: 'apps', component: () => import('@/views/TaskListView.vue'), props: { kind: 'app' }, meta: { menu: 'apps' } },
      { path: 'apps/:id(\\d+)', name: 'app', component: () => import('@/views/TaskDetailView.vue'), props: (r) => ({ kind: 'app', id: Number(r.params.id) }), meta: { menu: 'apps' } },
      { path: 'jobs', name: 'jobs', component: () => import('@/views/TaskListView.vue'), props: { kind: 'job' }, meta: { menu: 'jobs' } },
      { path: 'jobs/:id(\\d+)', name: 'job', component: () => import('@/views/TaskDetailView.vue'), props: (r) => ({ kind: 'job', id: Number(r.params.id) }), meta: { menu: 'jobs' } },
      { path: 'timings', name: 'timings', component: () => import('@/views/TaskListView.vue'), props: { kind: 'timing' }, meta: { menu: 'timings' } },
      { path: 'timings/:id(\\d+)', name: 'timing', component: () => import('@/views/TaskDetailView.vue'), props: (r) => ({ kind: 'timing', id: Number(r.params.id) }), meta: { menu: 'timings' } },
      { path: 'exceptions', name: 'exceptions', component: () => import('@/views/ExceptionsView.vue'), meta: { menu: 'exceptions' } },
      { path: 'operations', name: 'operations', component: () => import('@/views/OperationsView.vue'), meta: { menu: 'operations' } },
      { path: 'profile', name: 'profile', component: () => import('@/views/ProfileView.vue'), meta: { menu: 'profile' } },
      { path: ':rest(.*)*', name: 'notfound', component: () => import('@/views/NotFoundView.vue') },
    ],
  },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (!auth.checked) {
    try {
      await loadUser()
    } catch {
      // The server is unreachable: let the page load and show its own error.
    }
  }
  if (to.meta.public) {
    if (to.name === 'login' && auth.user && !auth.mustChange) return { name: 'dashboard' }
    return true
  }
  if (!auth.user) {
    if (!auth.checked) return true
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (to.meta.admin && !isAdmin()) return { name: 'dashboard' }
  return true
})
