// The long-lived mode of issue 29, for one library per process
// (`node --expose-gc longlived.mjs civicflow|xstate|robot3`): one engine (or, for XState and
// robot3, one array of live actors) for the whole run, cases accumulating past BENCH_HELD
// (1,000,000 by default) and never dropped. Cases are added in windows of BENCH_WINDOW
// (10,000), the last one starting at BENCH_HELD held cases. A window opens its cases (timed:
// the open cost), then sends each one the 12 events of the path (timed: the send cost), and
// then, untimed, the host's upkeep (civicflow's outbox delivered and acknowledged). Windows
// that start at 10,000, 100,000 and 1,000,000 held cases are reported, and the mean over every
// window at 100,000 or more. Heap per held case is read at the end, after gc(). Prints JSON;
// node.mjs runs it for each library and run.sh writes the tables. Figures are reported, never
// asserted.
import { PATH } from "./workload/path.mjs";

const name = process.argv[2];
const { [name]: lib } = await import(`./workload/${name}.mjs`);
const HELD = Number(process.env.BENCH_HELD ?? 1_000_000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 10_000);
// A mark is a window's start: WINDOW must divide it.
const MARKS = [10_000, 100_000, 1_000_000].filter((m) => m <= HELD);
if (MARKS.some((m) => m % WINDOW !== 0)) throw new Error("BENCH_WINDOW must divide 10,000");
const gc = globalThis.gc;
if (typeof gc !== "function") throw new Error("run with --expose-gc");

const held = new Array(HELD + WINDOW);
let n = 0;
let sink = 0;
// Warm-up, in an engine dropped afterwards: the first windows would otherwise time the JIT
// (and WebAssembly's tier-up), not the engine.
lib.setup();
for (let w = 0; w < 3; w++) window();
n = 0;
held.fill(undefined);
lib.setup();
gc();
const m0 = process.memoryUsage();

function window() {
  const first = n;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < WINDOW; i++) held[n++] = lib.create();
  const t1 = process.hrtime.bigint();
  for (let i = first; i < n; i++) {
    const c = held[i];
    for (let k = 0; k < PATH.length; k++) lib.send(c, PATH[k]);
  }
  const t2 = process.hrtime.bigint();
  sink += n;
  return { held: first, open_ns: Number(t1 - t0) / WINDOW, send_ns: Number(t2 - t1) / (WINDOW * PATH.length) };
}

const windows = [];
while (n <= HELD) {
  windows.push(window());
  lib.upkeep?.();
}
const end = lib.result(held[n - 1]);
gc();
gc();
const m1 = process.memoryUsage();

// Per transition with the open included: the window's open spread over its 12 events.
const both = (w) => w.send_ns + w.open_ns / PATH.length;
const at = Object.fromEntries(
  MARKS.map((m) => {
    const w = windows.find((x) => x.held >= m);
    return [m, { open_ns: w.open_ns, send_ns: w.send_ns, transition_ns: both(w) }];
  }),
);
const big = windows.filter((w) => w.held >= 100_000);
const mean = (f) => big.reduce((s, w) => s + f(w), 0) / big.length;
console.log(
  JSON.stringify({
    library: lib.name,
    held: n,
    window: WINDOW,
    end,
    at,
    from_100k: big.length === 0 ? null : { open_ns: mean((w) => w.open_ns), send_ns: mean((w) => w.send_ns), transition_ns: mean(both) },
    heap_per_case: Math.round((m1.heapUsed - m0.heapUsed + m1.external - m0.external) / n),
    seconds: Number(process.uptime().toFixed(1)),
    sink,
  }),
);
