// The one setting Vite 5 and 6 need (docs/javascript.md): the package's default entry awaits
// its WebAssembly at the top level, which their default target (es2020) does not allow.
export default { build: { target: "es2022" } };
