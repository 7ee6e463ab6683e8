// npm run geo -- <command>: the district's geography file. `export` writes the one in use, `import`
// builds one from the files a center has (one per level), `check` says what is wrong with one.
import { runExport } from './geo-export'
import { runImport } from './geo-import'
import { runCheck } from './geo-check'

export const USAGE = `usage: npm run geo -- <command>
  export [--out <file>]          the geography in use ($OUTPOST_GEOGRAPHY, else the sample) as a geography file
  import --district <id>:<name> --streets <f> --communities <f> --grids <f>
         [--crs wgs84|cgcs2000|gcj02|bd09] [--id-field F] [--name-field F] [--parent-field F]
         [--attributes units.csv] --out <file>
                                 builds a geography file from GeoJSON or Shapefile sources, one per level
  check <file>                   every problem, with the unit and a measured size; exit 1 on an error`

/** What a command prints and how it ends; the exit code is 0, 1 (problems found) or 2 (usage). */
export type GeoCommand = (argv: string[], out: (line: string) => void) => Promise<number>

const COMMANDS: Record<string, GeoCommand> = { export: runExport, import: runImport, check: runCheck }

export async function run(argv: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const [command, ...rest] = argv
  const handler = command ? COMMANDS[command] : undefined
  if (!handler) {
    err(`geo: ${command ? `unknown command ${command}` : 'no command'}\n${USAGE}`)
    return 2
  }
  return handler(rest, out)
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('geo.ts')) {
  run(process.argv.slice(2), (line) => console.log(line), (line) => console.error(line)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`geo: ${(error as Error).message}`)
      process.exit(1)
    },
  )
}
