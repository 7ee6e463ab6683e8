// A CSV is made in the browser, so the server learns of an export only from here: the export
// button records it in the audit trail (POST /api/v1/audit/exports) before the file is handed over.
import type { ExportRecord } from '../../shared/schemas/audit'
import { globalFetch, type FetchLike } from '../http'

/** Records an export; resolves to whether the server stored it (a refusal or a network failure: false). */
export async function recordExport(record: ExportRecord, fetchImpl: FetchLike = globalFetch): Promise<boolean> {
  try {
    const res = await fetchImpl('/api/v1/audit/exports', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(record),
    })
    return res.ok
  } catch {
    return false
  }
}
