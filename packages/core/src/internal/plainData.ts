/**
 * `Data.TaggedError` without the Effect runtime, for the Promise API's pre-bundled roots only: their
 * build substitutes this module for `effect/Data` (tsup.base.ts, `adapterBuild`). Effect's version
 * makes each error an Effect value (`yield* error`), which loads the Effect core (about 2 ms of a
 * cold start and 20 KB of the bundle); no Effect program ever sees the errors of a pre-bundled root,
 * whose callers get `@azure/identity`'s error classes with these as `cause`. Everything else is
 * kept: the constructor's fields on the error, `message` and `cause` on the `Error`, `_tag`, `name`,
 * and `toJSON`.
 *
 * @internal
 */

const plainArgs = Symbol.for("effect/Data/Error/plainArgs")

/** @internal */
export const TaggedError = <Tag extends string>(
  tag: Tag
): (new <A extends Record<string, any> = {}>(
  args: {} extends A ? void : { readonly [P in keyof A as P extends "_tag" ? never : P]: A[P] }
) => Error & { readonly _tag: Tag } & Readonly<A>) => {
  class PlainTaggedError extends Error {
    readonly _tag = tag
    constructor(args?: Record<string, unknown>) {
      super(args?.message as string | undefined, args?.cause ? { cause: args.cause } : undefined)
      if (args) {
        Object.assign(this, args)
        Object.defineProperty(this, plainArgs, { value: args, enumerable: false })
      }
    }
    toJSON(): Record<string, unknown> {
      const json: Record<string, unknown> = { ...(this as { [plainArgs]?: object })[plainArgs], ...(this as object) }
      if (this.message) json.message = this.message
      if (this.cause) json.cause = this.cause
      return json
    }
  }
  PlainTaggedError.prototype.name = tag
  return PlainTaggedError as never
}
