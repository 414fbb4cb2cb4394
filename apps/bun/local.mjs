// `pnpm start`: the walkthrough in Bun with no Azure account. Starts the emulator (IMDS) and the
// stand-in ARM here in Node on 127.0.0.1, then runs main.ts in Bun with only the variables that
// point at them. Emulator faults pass through: `pnpm start --fault imds:503x1`.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { ArmStandIn, Emulator } from "@managed-identity/emulator"

const root = fileURLToPath(new URL(".", import.meta.url))
const faults = process.argv.flatMap((arg, i, all) => (arg === "--fault" && all[i + 1] ? [String(all[i + 1])] : []))
const emulator = await Emulator.start({ faults })
const arm = await ArmStandIn.start(emulator.jwks)
console.log(
  `emulator (IMDS) ${emulator.url}, stand-in ARM ${arm.url}${faults.length ? `, faults ${faults.join(" ")}` : ""}`
)
const command = ["run", "main.ts"]
console.log(`$ bun ${command.join(" ")}\n`)

const child = spawn(fileURLToPath(new URL("node_modules/.bin/bun", import.meta.url)), command, {
  cwd: root,
  env: { PATH: process.env.PATH, HOME: process.env.HOME, ...emulator.envFor("imds"), ARM_ENDPOINT: arm.url },
  stdio: "inherit"
})
const code = await new Promise((resolve) => child.on("exit", (status) => resolve(status ?? 1)))
console.log(`\nIMDS requests: ${emulator.requests.count("imds")}, ARM requests answered: ${arm.counts.served}`)
await arm.close()
await emulator.close()
process.exitCode = code
