/**
 * The emulator's sources as a client sees them: their names, and the standard variables that
 * point a client at one of them.
 */
import type { Source } from "../Emulator.js"

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
