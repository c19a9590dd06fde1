// Every ```js block of the guide runs (docs/*.md and the README): the blocks of one file in
// order, as one ES module, in a fresh project with the packed npm package installed (and
// better-sqlite3, for the store) and the repository's calendars/, orgs/ and templates/ beside
// it; a block whose first line is a comment naming a file (`// service.mjs`) runs on its own,
// as that file. A `// → text` comment is the line the code before it prints; the output must
// be exactly those lines, in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { projectWithPackage, root, run, wasmDir, write } from "./helpers.js";

const files = [
  "README.md",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`),
];

const OWN_FILE = /^\/\/ ([\w-]+\.mjs)\n/;

/** The ```js blocks of a Markdown text. */
function blocksOf(markdown) {
  return [...markdown.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** The ```js blocks of a Markdown text that run together, joined. */
export function jsOf(markdown) {
  return blocksOf(markdown).filter((b) => !OWN_FILE.test(b)).join("\n");
}

// What a piece of code must print: its `// →` comments.
const expectedOf = (code) => [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1]);

const withJs = files.filter((f) => blocksOf(readFileSync(join(root, f), "utf8")).length > 0);

test("the guide has JavaScript to run", () => {
  assert.ok(withJs.includes("docs/tutorial.md"), withJs.join(" "));
});

let project;
for (const file of withJs) {
  test(`the JavaScript of ${file} runs and prints what its comments say`, () => {
    project ??= (() => {
      const dir = projectWithPackage("module");
      for (const d of ["calendars", "orgs", "templates"]) cpSync(join(root, d), join(dir, d), { recursive: true });
      // The store's SQLite driver, as built for the tests (a native module: not built again).
      for (const p of ["better-sqlite3", "bindings", "file-uri-to-path"]) {
        cpSync(join(wasmDir, "node_modules", p), join(dir, "node_modules", p), { recursive: true });
      }
      return dir;
    })();
    const markdown = readFileSync(join(root, file), "utf8");
    const runs = [[`${file.replace(/[/.]/g, "_")}.mjs`, jsOf(markdown)]];
    for (const block of blocksOf(markdown)) {
      const own = OWN_FILE.exec(block);
      if (own) runs.push([own[1], block]);
    }
    for (const [name, code] of runs) {
      if (code === "") continue;
      const expected = expectedOf(code);
      assert.ok(expected.length > 0, `${file}, ${name}: no \`// → \` comment says what to expect`);
      assert.ok(!existsSync(join(project, name)), `${name} is run by two files`);
      write(project, name, code);
      const printed = run("node", [name], project).replace(/\n$/, "").split("\n");
      assert.deepEqual(printed, expected, `${file}, ${name}`);
    }
  });
}
