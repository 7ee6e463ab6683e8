// The directory (departments, rota, experts) and the audit trail, as `app.directory` and
// `app.audit`. main.ts opens their files in the data directory and passes them in (and closes
// them); an app built without them (the tests) gets in-memory ones that close with it.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { SqliteAuditLog } from '../audit/audit-log'
import type { AuditLog } from '../audit/types'
import { DirectoryStore } from '../directory/directory-store'
import type { Directory } from '../directory/types'

export interface DirectoryPluginOptions {
  directory?: Directory
  audit?: AuditLog
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Departments, their rota at streets, and expert pools. */
    directory: Directory
    /** The append-only audit trail: every action by a person. */
    audit: AuditLog
  }
}

async function directoryPlugin(app: FastifyInstance, options: DirectoryPluginOptions) {
  const audit = options.audit ?? new SqliteAuditLog(':memory:')
  const directory =
    options.directory ??
    new DirectoryStore(':memory:', { audit, isStreet: (id) => app.geography.get(id)?.level === 'street', now: () => app.now() })
  app.decorate('audit', audit)
  app.decorate('directory', directory)
  // Only what this plugin made: files passed in are their opener's to close.
  app.addHook('onClose', async () => {
    if (!options.directory) await directory.close()
    if (!options.audit) await audit.close()
  })
}

export default fp(directoryPlugin, { name: 'directory', dependencies: ['context'] })
