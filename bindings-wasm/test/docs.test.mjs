// Every ```js block of the guide runs (docs/*.md and the README): the blocks of one file in
// order, as one ES module, in a fresh project with the packed npm package installed and the
// repository's calendars/, orgs/ and templates/ beside it. A `// → text` comment is the line
// the code before it prints; the output must be exactly those lines, in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { projectWithPackage, root, run, write } from "./helpers.js";

const files = [
  "README.md",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`),
];

/** The ```js blocks of a Markdown text, joined. */
export function jsOf(markdown) {
  return [...markdown.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]).join("\n");
}

const withJs = files.filter((f) => jsOf(readFileSync(join(root, f), "utf8")) !== "");

test("the guide has JavaScript to run", () => {
  assert.ok(withJs.includes("docs/tutorial.md"), withJs.join(" "));
});

let project;
for (const file of withJs) {
  test(`the JavaScript of ${file} runs and prints what its comments say`, () => {
    project ??= (() => {
      const dir = projectWithPackage("module");
      for (const d of ["calendars", "orgs", "templates"]) cpSync(join(root, d), join(dir, d), { recursive: true });
      return dir;
    })();
    const code = jsOf(readFileSync(join(root, file), "utf8"));
    const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1]);
    assert.ok(expected.length > 0, `${file}: no \`// → \` comment says what to expect`);
    const name = `${file.replace(/[/.]/g, "_")}.mjs`;
    write(project, name, code);
    const printed = run("node", [name], project).replace(/\n$/, "").split("\n");
    assert.deepEqual(printed, expected);
  });
}
