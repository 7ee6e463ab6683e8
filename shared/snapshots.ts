// Where a page loads a camera alert's snapshot: always through this server, with the session,
// never from the camera's own URL (the CSP allows images of this origin only).

export const ALERT_SNAPSHOT_ROUTE = '/api/v1/alerts/:id/snapshot'

export function alertSnapshotPath(alertId: string): string {
  return `/api/v1/alerts/${encodeURIComponent(alertId)}/snapshot`
}
