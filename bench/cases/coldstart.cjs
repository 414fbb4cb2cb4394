// Cold start through `require`: the CommonJS twin of coldstart.mjs. This process never loads an ES
// module, as a CommonJS program that requires the entry would not.
"use strict"
const { assertLoopbackEnvironment } = require("../lib/guard.cjs")
const { now, options } = require("../lib/child.cjs")
const { firstToken } = require("../lib/coldstart.cjs")

assertLoopbackEnvironment()
const { contender, scope, entry } = options()
const t0 = now()
const { ManagedIdentityCredential } = require(entry)
const t1 = now()
firstToken({ ManagedIdentityCredential, contender, via: "require", t0, t1, scope })
