/**
 * `FetchTransport`'s service: the plain `fetch` send (`plainFetch.ts`) as an Effect
 * (`HttpTransport.fromPromise`).
 *
 * @internal
 */
import { fromPromise, type Service } from "../HttpTransport.js"
import * as Plain from "./plainFetch.js"

/** @internal */
export const make = (fetch: typeof globalThis.fetch): Service => fromPromise(Plain.send(fetch))
