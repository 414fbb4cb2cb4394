/**
 * Work nobody waits for: a token cache's background refresh. It is marked so that what can be
 * released is: a runtime's timers and sockets that allow it are unref'd, so a background refresh
 * never holds an otherwise idle process open.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"

/** @internal */
export const backgroundWork: FiberRef.FiberRef<boolean> = globalValue(
  Symbol.for("@managed-identity/core/internal/background/backgroundWork"),
  () => FiberRef.unsafeMake(false)
)

interface Timer {
  unref?(): unknown
}

const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * The live clock, but a sleep made by background work does not keep the process alive (where the
 * runtime's timers have `unref`: Node, Bun, and Deno's Node-compatible timers; elsewhere nothing
 * changes). Credentials run on it; an Effect program keeps its own clock.
 *
 * @internal
 */
export const processClock: Clock.Clock = (() => {
  const live = Clock.make()
  const sleep = (millis: number, unref: boolean): Effect.Effect<void> =>
    !Number.isFinite(millis)
      ? Effect.never
      : Effect.async<void>((resume) => {
          const handle = setTimeout(() => resume(Effect.void), Math.min(Math.max(0, millis), MAX_TIMER_MS))
          if (unref) (handle as unknown as Timer).unref?.()
          return Effect.sync(() => clearTimeout(handle))
        })
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => live.unsafeCurrentTimeMillis(),
    currentTimeMillis: live.currentTimeMillis,
    unsafeCurrentTimeNanos: () => live.unsafeCurrentTimeNanos(),
    currentTimeNanos: live.currentTimeNanos,
    sleep: (duration) =>
      FiberRef.getWith(backgroundWork, (background) => sleep(Duration.toMillis(duration), background))
  }
})()
