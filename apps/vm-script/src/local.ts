// `pnpm start`: the walkthrough with no Azure account. Starts the emulator (IMDS) and the stand-in
// ARM on 127.0.0.1, then runs main.js as a separate process with the variables a VM's process would
// see, pointed at them. Faults for the emulator pass through: `pnpm start -- --fault imds:410x1`.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Emulator } from "@managed-identity/emulator"
import { startArmStandIn } from "./armStandIn.js"

const faults = process.argv.flatMap((arg, i, all) => (arg === "--fault" && all[i + 1] ? [all[i + 1]!] : []))
const emulator = await Emulator.start({ faults })
const arm = await startArmStandIn(emulator.jwks)
console.log(
  `emulator (IMDS) ${emulator.url}, stand-in ARM ${arm.url}${faults.length ? `, faults ${faults.join(" ")}` : ""}\n`
)

// The VM's process sees IMDS only: drop any other source's variables this shell may carry.
const inherited = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) =>
      !/^(IDENTITY_|IMDS_ENDPOINT|MSI_|AZURE_FEDERATED_TOKEN_FILE|AZURE_AUTHORITY_HOST|AZURE_CLIENT_ID)/.test(name)
  )
)
const child = spawn(process.execPath, [fileURLToPath(new URL("./main.js", import.meta.url))], {
  env: { ...inherited, ...emulator.envFor("imds"), ARM_ENDPOINT: arm.url },
  stdio: "inherit"
})
const code = await new Promise<number>((resolve) => child.on("exit", (status) => resolve(status ?? 1)))
console.log(`\nIMDS requests: ${emulator.requests.count("imds")}, ARM requests answered: ${arm.counts.served}`)
await arm.close()
await emulator.close()
process.exitCode = code
