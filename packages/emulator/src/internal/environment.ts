/**
 * The emulator's sources as a client sees them: their names, and the standard variables that
 * point a client at one of them.
 */
import type { Source } from "../Emulator.js"
import type { IdentityStore } from "./identities.js"

export const sources: ReadonlyArray<Source> = [
  "imds",
  "appservice",
  "azureml",
  "cloudshell",
  "arc",
  "servicefabric",
  "workloadidentity"
]

const aliases: Record<string, Source> = {
  imds: "imds",
  appservice: "appservice",
  functions: "appservice",
  azureml: "azureml",
  machinelearning: "azureml",
  cloudshell: "cloudshell",
  arc: "arc",
  azurearc: "arc",
  servicefabric: "servicefabric",
  workloadidentity: "workloadidentity",
  workload: "workloadidentity",
  entra: "workloadidentity"
}

/** A source name, read leniently: case, `-`, `_` and spaces are ignored; the core's names are accepted too. */
export const parseSource = (text: string): Source | undefined => aliases[text.toLowerCase().replace(/[-_\s]/g, "")]

/** What the variables point at. */
export interface Endpoints {
  readonly url: string
  readonly httpsUrl: string
  readonly secret: string
  readonly tenantId: string
  readonly thumbprint: string
  readonly identities: IdentityStore
  /** Writes the default federated token file (kept fresh from then on) and returns its path. */
  readonly federatedTokenFile: () => string
}

/** The standard variables that point a client at `source`. */
export const envFor = (endpoints: Endpoints, source: Source): Readonly<Record<string, string>> => {
  const { url, httpsUrl, secret, identities } = endpoints
  switch (source) {
    case "imds":
      return { AZURE_POD_IDENTITY_AUTHORITY_HOST: url }
    case "appservice":
      return { IDENTITY_ENDPOINT: `${url}/appservice/msi/token`, IDENTITY_HEADER: secret }
    case "azureml": {
      const system = identities.systemAssigned()
      return {
        MSI_ENDPOINT: `${url}/azureml/msi/token`,
        MSI_SECRET: secret,
        ...(system === undefined ? {} : { DEFAULT_IDENTITY_CLIENT_ID: system.clientId })
      }
    }
    case "cloudshell":
      return { MSI_ENDPOINT: `${url}/cloudshell/oauth2/token` }
    case "arc":
      return { IDENTITY_ENDPOINT: `${url}/arc/metadata/identity/oauth2/token`, IMDS_ENDPOINT: `${url}/arc` }
    case "servicefabric":
      return {
        IDENTITY_ENDPOINT: `${httpsUrl}/servicefabric/metadata/identity/oauth2/token`,
        IDENTITY_HEADER: secret,
        IDENTITY_SERVER_THUMBPRINT: endpoints.thumbprint
      }
    case "workloadidentity": {
      const tokenFile = endpoints.federatedTokenFile()
      // The workload's identity: the system-assigned one, else the first.
      const identity = identities.systemAssigned() ?? identities.list()[0]
      return {
        AZURE_AUTHORITY_HOST: url,
        AZURE_FEDERATED_TOKEN_FILE: tokenFile,
        ...(identity === undefined ? {} : { AZURE_CLIENT_ID: identity.clientId }),
        AZURE_TENANT_ID: endpoints.tenantId
      }
    }
  }
}
