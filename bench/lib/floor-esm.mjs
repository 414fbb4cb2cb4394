// The floor (floor.cjs) as an ES module usually writes it, with `import … from "node:http"`: the same
// request, plus what building `node:http`'s ES namespace costs on this Node (see floor.cjs). Reported
// for context, next to the floor, never as the floor.
import * as http from "node:http"
import { floorCredential } from "./floor.cjs"

export const ManagedIdentityCredential = floorCredential(http)
