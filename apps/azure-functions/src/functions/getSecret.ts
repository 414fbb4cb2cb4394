// The deployable entry: the Functions host loads every file matching package.json's "main"
// (dist/functions/*.js) and registers what it declares. One handler per instance, built when the
// instance loads this module: the credential and its token cache outlive invocations.
import { app } from "@azure/functions"
import { makeGetSecretHandler } from "../getSecretHandler.js"
import { metricsHandler } from "../metrics.js"

export const getSecret = makeGetSecretHandler()

app.http("getSecret", {
  methods: ["GET"],
  authLevel: "function",
  route: "secrets/{name}",
  handler: getSecret
})

app.http("metrics", {
  methods: ["GET"],
  authLevel: "function",
  route: "metrics",
  handler: metricsHandler
})
