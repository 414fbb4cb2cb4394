import * as esbuild from "esbuild"
import { gzipSync } from "node:zlib"
const plugin = { name: "src", setup(b) { b.onResolve({ filter: /^@managed-identity\/core\// }, (a) => ({ path: new URL(`../core/src/${a.path.split("/").pop()}.ts`, import.meta.url).pathname })) } }
const r = await esbuild.build({ entryPoints: [process.argv[2] ?? "test/edge/size.ts"], bundle: true, write: false, format: "esm", platform: "browser", mainFields: ["browser","module","main"], conditions: ["worker","browser","import"], target: "es2022", minify: true, logLevel: "error", metafile: true, plugins: [plugin] })
const out = Object.values(r.metafile.outputs)[0]
console.log("gzip", gzipSync(r.outputFiles[0].text,{level:9}).length)
const rows = Object.entries(out.inputs).filter(([k])=>!k.includes("node_modules")).map(([k,v]) => [v.bytesInOutput, k]).sort((a,b)=>b[0]-a[0])
let tot=0; for (const [b,k] of rows) { tot+=b; if (b>300) console.log(b, k.replace(/.*packages\//,"")) } console.log("ours total", tot)
