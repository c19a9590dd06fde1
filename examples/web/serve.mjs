// Serves dist/ on 127.0.0.1 (PORT, default 8080): static files only, as any web server would.
import { createServer } from "node:http";
import { readFileSync, statSync } from "node:fs";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const dist = join(dirname(fileURLToPath(import.meta.url)), "dist");
const types = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".wasm": "application/wasm",
};

/** Starts the server on `port` (0: any free one); resolves to it. */
export function serve(port = 0) {
  const server = createServer((req, res) => {
    let path;
    try {
      path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^\/+/, "");
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path === "ready") {
      // Static files only: the page runs in-page, not connected to a civicflow server.
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"static"}');
      return;
    }
    if (path === "") path = "index.html";
    const file = join(dist, path);
    if (!file.startsWith(dist) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await serve(Number(process.env.PORT ?? 8080));
  console.log(`青山镇便民服务中心 demo: http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`);
}
