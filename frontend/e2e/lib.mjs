// Helpers for the browser tests: a real `flowza serve` on a free port with a throw-away data
// directory, Debian's Chromium driven by playwright-core, and real mouse drags.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "..", "..");
export const datasetsDir = process.env.FLOWZA_SHARED_DATASETS ?? resolve(repoRoot, "..", "shared", "datasets");
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

export async function startServer({ auth = false } = {}) {
  const home = mkdtempSync(join(tmpdir(), "flowza-e2e-"));
  const port = await freePort();
  const flowza = process.env.FLOWZA_BIN ?? resolve(repoRoot, ".venv", "bin", "flowza");
  // always the embedded defaults (SQLite, inline executor, no login, offline planner, a fresh
  // cache), whatever FLOWZA_* settings the caller's shell or make exports
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FLOWZA_")));
  // serve adds titanic.csv from the shared datasets at start: from the folder these tests read
  Object.assign(env, { FLOWZA_HOME: home, FLOWZA_DATA_DIR: join(home, "data"), FLOWZA_SHARED_DATASETS: datasetsDir });
  const args = ["serve", "--host", "127.0.0.1", "--port", String(port), "--data-dir", join(home, "data"), "--log-level", "warning"];
  if (auth) args.push("--auth");
  const proc = spawn(flowza, args, {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`flowza serve exited with ${proc.exitCode}:\n${log}`);
    try {
      const r = await fetch(`${url}/api/v1/health`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (Date.now() >= deadline) throw new Error(`flowza serve did not start:\n${log}`);
  return {
    url,
    log: () => log,
    /** `flowza user create NAME --password PASSWORD` against this server's database. */
    createUser(name, password) {
      const done = spawnSync(flowza, ["user", "create", name, "--password", password], { env, encoding: "utf8" });
      if (done.status !== 0) throw new Error(`flowza user create failed: ${done.stderr}`);
    },
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((r) => {
        const t = setTimeout(() => {
          proc.kill("SIGKILL");
          r();
        }, 8000);
        proc.on("exit", () => {
          clearTimeout(t);
          r();
        });
      });
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install -y --no-install-recommends chromium`);
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** The centre of an element once it stops moving (zoom-to-fit and layout animate). */
async function center(locator) {
  await locator.scrollIntoViewIfNeeded();
  let box = await locator.boundingBox();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 60));
    const next = await locator.boundingBox();
    if (box && next && Math.abs(next.x - box.x) < 0.5 && Math.abs(next.y - box.y) < 0.5) break;
    box = next;
  }
  if (!box) throw new Error(`no bounding box for ${locator}`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags a palette item onto the canvas with the real mouse (HTML5 drag and drop). */
export async function dragFromPalette(page, type, x, y) {
  const item = page.getByTestId(`palette-${type}`);
  const from = await center(item);
  const canvas = await page.getByTestId("canvas").boundingBox();
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 20, from.y, { steps: 4 });
  await page.mouse.move(canvas.x + x, canvas.y + y, { steps: 12 });
  await page.mouse.up();
  await page.locator(`.react-flow__node[data-id="${type}"]`).waitFor();
}

export function handle(page, nodeId, kind, port) {
  return page.locator(`.react-flow__node[data-id="${nodeId}"] .react-flow__handle.${kind}[data-handleid="${port}"]`);
}

/** Drags from an output handle to an input handle with the real mouse. */
export async function connect(page, source, sourcePort, target, targetPort) {
  const from = await center(handle(page, source, "source", sourcePort));
  const to = await center(handle(page, target, "target", targetPort));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2 + 20, { steps: 8 });
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
}

export async function edgeCount(page) {
  return page.locator(".react-flow__edge").count();
}

export async function selectNode(page, id) {
  await page.locator(`.react-flow__node[data-id="${id}"] .fnode-head`).click();
  await page.getByTestId("inspector").waitFor();
}

export async function waitStatuses(page, ids, wanted = ["succeeded", "cached"], timeout = 90_000) {
  const deadline = Date.now() + timeout;
  let last = {};
  while (Date.now() < deadline) {
    last = {};
    for (const id of ids) last[id] = await page.getByTestId(`node-${id}`).getAttribute("data-status");
    if (ids.every((id) => wanted.includes(last[id]))) return last;
    if (Object.values(last).some((s) => s === "failed")) break;
    await page.waitForTimeout(200);
  }
  const errors = await page.locator(".fnode-error").allTextContents();
  throw new Error(`nodes did not reach ${wanted.join("/")}: ${JSON.stringify(last)} ${errors.join(" | ")}`);
}
