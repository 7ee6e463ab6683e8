// After a restart the simulator has no memory of what it planned: it picks up the open requests
// and unreviewed alerts of the store's snapshot and plans the rest of their lives.
import { ALERT_RAISES, allowedNextStages } from '../../shared/domain'
import type { LiveSnapshot } from '../../shared/events'
import { workerIdForGrid } from '../../shared/sample-geography'
import { MINUTE, mulberry32, planLifecycle, type PendingStep } from './model'
import { workerTarget } from './targets'

export function resumeFromSnapshot(snapshot: LiveSnapshot, now: number, seed = 7): PendingStep[] {
  const rand = mulberry32(seed)
  const steps: PendingStep[] = []
  for (const request of snapshot.requests) {
    const plan = planLifecycle(rand, request.priority, workerTarget(workerIdForGrid(request.gridId)))
    const allowed = allowedNextStages(request.stage)
    const from = plan.findIndex((step) => allowed.includes(step.stage))
    if (from < 0) continue
    // Steps whose planned time has passed happen soon after the restart, in order.
    let at = Math.max(request.stageAt, now)
    for (const [i, step] of plan.slice(from).entries()) {
      at = Math.max(at, request.receivedAt + step.offset, now + (i + 1) * rand() * 10 * MINUTE)
      const { offset: _offset, ...body } = step
      steps.push({ type: 'transition', at: Math.round(at), requestId: request.requestId, ...body, receivedAt: request.receivedAt, priority: request.priority })
    }
  }
  for (const alert of snapshot.alerts) {
    const confirmed = alert.confidence >= 0.7
    steps.push({
      type: 'review',
      at: Math.max(alert.at, now) + Math.round(rand() * 5 * MINUTE),
      alertId: alert.alertId,
      verdict: confirmed ? 'confirmed' : 'false_positive',
      ...(confirmed ? { raise: { priority: ALERT_RAISES[alert.kind].priority, assignee: workerTarget(workerIdForGrid(alert.gridId)) } } : {}),
    })
  }
  return steps.sort((a, b) => a.at - b.at)
}
