// Heap per case for one library (`node --expose-gc heap.mjs civicflow|xstate|robot3`): cases
// run through the whole path and held, measured after gc() as JS heap plus external memory
// (WebAssembly memory counts as external). Prints JSON.
import { PATH } from "./workload/path.mjs";

const name = process.argv[2];
const { [name]: lib } = await import(`./workload/${name}.mjs`);
const N = Number(process.env.BENCH_HEAP_CASES ?? 20000);
const gc = globalThis.gc;
if (typeof gc !== "function") throw new Error("run with --expose-gc");

function make() {
  const c = lib.create();
  for (const e of PATH) lib.send(c, e);
  return c;
}

lib.setup();
for (let i = 0; i < 500; i++) make();
const keep = new Array(N).fill(null);
gc();
gc();
const m0 = process.memoryUsage();
for (let i = 0; i < N; i++) keep[i] = make();
gc();
gc();
const m1 = process.memoryUsage();
if (keep[N - 1] === null) throw new Error("unreachable");
const js = (m1.heapUsed - m0.heapUsed) / N;
const external = (m1.external - m0.external) / N;
console.log(JSON.stringify({ cases: N, js_bytes: Math.round(js), external_bytes: Math.round(external), total_bytes: Math.round(js + external) }));
