// End-to-end tests of the editor against a real `flowza serve` in Debian's Chromium.
// Scenarios (a), (b), (c) of issue 5. Usage: node e2e/run.mjs [--screenshots] [--only=abcdefghi]
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { connect, datasetsDir, dragFromPalette, edgeCount, launchBrowser, repoRoot, selectNode, startServer, waitStatuses } from "./lib.mjs";

const SCREENSHOTS = process.argv.includes("--screenshots") || process.env.FLOWZA_SCREENSHOTS === "1";
const docsDir = resolve(repoRoot, "docs");

async function ready(page) {
  await page.locator('.app[data-ready="true"]').waitFor({ timeout: 30_000 });
}

// upload a shared dataset with the file picker on the Datasets tab; it is listed once stored
async function uploadDataset(page, name, timeout = 30_000) {
  await page.getByTestId("tab-datasets").click();
  await page.getByTestId("file-input").setInputFiles(join(datasetsDir, name));
  await page.getByTestId(`dataset-${name}`).waitFor({ timeout });
}

async function scenarioA(page, url) {
  await page.goto(url);
  await ready(page);
  await page.getByTestId("canvas-empty").waitFor();

  // upload iris.csv with the file picker
  await uploadDataset(page, "iris.csv");
  // its profile (a card per column, with a small chart) and its rows, paged
  await page.locator('[data-testid="dataset-iris.csv"] .dataset-open').click();
  const dialog = page.getByTestId("dataset-dialog");
  await dialog.locator(".col-card").first().waitFor();
  assert.equal(await dialog.locator(".col-card").count(), 5);
  await dialog.locator(".col-card svg.chart").first().waitFor();
  await dialog.getByTestId("dataset-rows-tab").click();
  await dialog.getByTestId("pager").filter({ hasText: "of 150" }).waitFor();
  await dialog.getByRole("button", { name: "Next page" }).click();
  await dialog.getByTestId("pager").filter({ hasText: "rows 51–100" }).waitFor();
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });

  // a file that is not a CSV is refused with the server's reason
  expectedConsoleErrors.push(/status of 4\d\d .*\/api\/v1\/datasets\)$/);
  await page.getByTestId("file-input").setInputFiles({ name: "broken.csv", mimeType: "text/csv", buffer: Buffer.from([0, 159, 146, 150, 0, 1, 2, 3, 255, 254]) });
  const failed = page.locator('[data-testid="upload-row"].failed');
  await failed.waitFor({ timeout: 15_000 });
  assert.match(await failed.textContent(), /broken\.csv/);
  await failed.getByRole("button", { name: "dismiss" }).click();

  // drag the four nodes from the palette onto the canvas
  await page.getByTestId("tab-nodes").click();
  await dragFromPalette(page, "load_csv", 120, 120);
  await dragFromPalette(page, "train_test_split", 400, 120);
  await dragFromPalette(page, "logistic_regression", 680, 120);
  await dragFromPalette(page, "evaluate", 960, 120);
  assert.equal(await page.locator(".react-flow__node").count(), 4);
  await page.keyboard.press("f"); // zoom to fit, so every handle is on screen
  await page.waitForTimeout(400);

  // connect the handles
  await connect(page, "load_csv", "data", "train_test_split", "data");
  await connect(page, "train_test_split", "data", "logistic_regression", "data");
  await connect(page, "logistic_regression", "model", "evaluate", "model");
  assert.equal(await edgeCount(page), 3, "three edges after connecting");

  // pick the dataset and the target in the forms
  await selectNode(page, "load_csv");
  await page.locator("#param-load_csv-dataset").selectOption("iris.csv");
  await selectNode(page, "train_test_split");
  const target = page.locator("#param-train_test_split-target");
  await target.locator('option[value="species"]').waitFor({ state: "attached", timeout: 15_000 });
  await target.selectOption("species");

  // name it, then run: every node turns succeeded, the accuracy is shown
  await page.getByTestId("workflow-name").fill("Iris species");
  await page.getByTestId("workflow-name").press("Enter");
  await page.getByTestId("run").click();
  await waitStatuses(page, ["load_csv", "train_test_split", "logistic_regression", "evaluate"]);
  await selectNode(page, "evaluate");
  const accuracy = page.getByTestId("results-drawer").getByTestId("metric-accuracy");
  await accuracy.waitFor({ timeout: 20_000 });
  assert.match(await accuracy.textContent(), /Accuracy\s*\d+(\.\d)?%/);
  await page.getByTestId("save-state").filter({ hasText: "Saved" }).waitFor();
  if (SCREENSHOTS) {
    mkdirSync(docsDir, { recursive: true });
    await page.mouse.move(5, 500);
    await page.evaluate(() => {
      document.querySelectorAll(".toast").forEach((t) => t.click());
      document.querySelector(".palette")?.scrollTo(0, 0);
    });
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(docsDir, "editor.png") });
  }

  // reload: the workflow is still there, saved
  await page.reload();
  await ready(page);
  assert.equal(await page.locator(".react-flow__node").count(), 4, "4 nodes after reload");
  assert.equal(await page.getByTestId("workflow-name").inputValue(), "Iris species");
  assert.equal(await edgeCount(page), 3, "3 edges after reload");
  await page.getByTestId("save-state").filter({ hasText: "Saved" }).waitFor();
  const ds = await page.locator(".react-flow__node[data-id=load_csv] .fnode-summary").textContent();
  assert.match(ds, /iris\.csv/);

  // an invalid connection is refused: a model output into evaluate's data input
  await page.keyboard.press("f");
  await page.waitForTimeout(400);
  await connect(page, "logistic_regression", "model", "evaluate", "data");
  assert.equal(await edgeCount(page), 3, "type mismatch refused");
  await page.getByTestId("toast-warning").filter({ hasText: /Type mismatch/ }).waitFor();
  // a second edge into an already connected input is refused too
  await connect(page, "load_csv", "data", "logistic_regression", "data");
  assert.equal(await edgeCount(page), 3, "second edge into one input refused");

  // copy/paste and undo with the keyboard
  await selectNode(page, "evaluate");
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await page.locator('.react-flow__node[data-id="evaluate_2"]').waitFor();
  assert.equal(await page.locator(".react-flow__node").count(), 5, "pasted a copy");
  await page.keyboard.press("Control+z");
  await page.locator('.react-flow__node[data-id="evaluate_2"]').waitFor({ state: "detached" });
  await page.keyboard.press("Control+Shift+z");
  await page.locator('.react-flow__node[data-id="evaluate_2"]').waitFor();
  await page.keyboard.press("Delete");
  await page.locator('.react-flow__node[data-id="evaluate_2"]').waitFor({ state: "detached" });
  await page.getByTestId("save-state").filter({ hasText: "Saved" }).waitFor();

  // run up to the split only: the nodes after it are not part of the run
  await selectNode(page, "train_test_split");
  await page.getByTestId("run-to-selected").click();
  await waitStatuses(page, ["load_csv", "train_test_split"]);
  await page.getByTestId("toast-success").filter({ hasText: /Run finished/ }).first().waitFor();
  assert.equal(await page.getByTestId("node-logistic_regression").getAttribute("data-status"), "idle");
  assert.equal(await page.getByTestId("node-train_test_split").getAttribute("data-status"), "cached");
  console.log("  (a) build, run, reload, invalid connection, copy/paste/undo, run up to a node: ok");
}

async function dropFile(page, selector, path, name) {
  const b64 = readFileSync(path).toString("base64");
  await page.evaluate(
    ({ selector, b64, name }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type: "text/csv" }));
      const target = document.querySelector(selector);
      for (const type of ["dragenter", "dragover", "drop"]) {
        target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
      }
    },
    { selector, b64, name },
  );
}

async function dragDrawerEdge(page, dy) {
  const grip = await page.locator(".drawer-resize").boundingBox();
  await page.mouse.move(grip.x + 300, grip.y + 4);
  await page.mouse.down();
  await page.mouse.move(grip.x + 300, grip.y + 4 + dy, { steps: 6 });
  await page.mouse.up();
}

const overlaps = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Every node lies in the visible canvas (above the results drawer) and no node is under the minimap. */
async function canvasClear(page, when) {
  let problem = "";
  for (let attempt = 0; attempt < 25; attempt++) {
    await page.waitForTimeout(200); // the view is re-fitted once a resize pauses, with a short animation
    const canvas = await page.getByTestId("canvas").boundingBox();
    const drawer = await page.getByTestId("results-drawer").boundingBox();
    const nodes = await page.locator(".react-flow__node").evaluateAll((els) =>
      els.map((e) => ({ id: e.getAttribute("data-id"), ...e.getBoundingClientRect().toJSON() })),
    );
    const minimap = (await page.locator(".react-flow__minimap").count()) ? await page.locator(".react-flow__minimap").boundingBox() : null;
    const hidden = nodes.filter((n) => n.y < canvas.y || n.x < canvas.x || n.y + n.height > Math.min(drawer.y, canvas.y + canvas.height) || n.x + n.width > canvas.x + canvas.width);
    const covered = minimap ? nodes.filter((n) => overlaps(n, minimap)) : [];
    problem = "";
    if (hidden.length) problem += ` nodes outside the visible canvas: ${hidden.map((n) => n.id)}`;
    if (covered.length) problem += ` nodes under the minimap: ${covered.map((n) => n.id)}`;
    if (minimap && minimap.y + minimap.height > drawer.y) problem += " the minimap reaches into the drawer";
    if (!problem) return;
  }
  assert.fail(`${when}:${problem}`);
}

async function scenarioB(page) {
  // titanic.csv is there from the start (serve adds it from the shared datasets); upload a copy by
  // dropping the file on the drop zone (under another name: a taken name is refused)
  await page.getByTestId("tab-datasets").click();
  await page.getByTestId("dataset-titanic.csv").waitFor({ timeout: 30_000 });
  await dropFile(page, '[data-testid="dropzone"]', join(datasetsDir, "titanic.csv"), "titanic-dropped.csv");
  await page.getByTestId("dataset-titanic-dropped.csv").waitFor({ timeout: 30_000 });
  await page.getByTestId("tab-nodes").click();

  // start from the binary-classification template in the gallery
  await page.getByTestId("open-templates").click();
  await page.getByTestId("template-binary_classification").click();
  const confirm = page.getByTestId("confirm-ok");
  if (await confirm.isVisible().catch(() => false)) await confirm.click();
  await page.locator(".react-flow__node[data-id=eval]").waitFor();
  await page.keyboard.press("f");
  await page.waitForTimeout(400);

  await selectNode(page, "load");
  await page.locator("#param-load-dataset").selectOption("titanic.csv");
  await selectNode(page, "split");
  const target = page.locator("#param-split-target");
  await target.locator('option[value="survived"]').waitFor({ state: "attached", timeout: 15_000 });
  await target.selectOption("survived");
  await page.locator("#param-split-target").blur();

  await page.getByTestId("run").click();
  const ids = ["load", "split", "impute", "encode", "scale", "model", "eval"];
  await waitStatuses(page, ids);
  await selectNode(page, "eval");
  const drawer = page.getByTestId("results-drawer");
  await drawer.getByTestId("confusion-matrix").waitFor({ timeout: 20_000 });
  await drawer.getByTestId("roc-curve").waitFor();
  await drawer.getByTestId("feature-importances").waitFor();
  const cells = await drawer.locator("[data-testid=confusion-matrix] .cell-label").allTextContents();
  assert.equal(cells.length, 4, "2x2 confusion matrix");
  assert.equal(cells.map(Number).reduce((a, b) => a + b, 0), 179, "179 test rows (20% of 891)");
  console.log("  (b) titanic from the template, confusion matrix: ok");

  // the results drawer never hides nodes and the minimap never covers them (issue 23), also when
  // the drawer is dragged taller; on a short canvas the minimap steps aside
  await canvasClear(page, "with the results drawer open");
  await dragDrawerEdge(page, -220);
  await canvasClear(page, "with the drawer dragged 220 px taller");
  assert.equal(await page.locator(".react-flow__minimap").count(), 1, "the minimap is shown while the canvas has room");
  await dragDrawerEdge(page, -140);
  await canvasClear(page, "with the drawer dragged 360 px taller");
  assert.equal(await page.locator(".react-flow__minimap").count(), 0, "no minimap on a short canvas");
  await dragDrawerEdge(page, 360);
  console.log("  (b) the drawer hides no node and the minimap covers none: ok");

  // titanic's `alive` column is the target in words: drop it (delete an edge, insert a node, rewire)
  const edge = page.locator('.react-flow__edge[data-id="load:data->split:data"]');
  const a = await page.locator('.react-flow__node[data-id="load"] .react-flow__handle.source').boundingBox();
  const b = await page.locator('.react-flow__node[data-id="split"] .react-flow__handle.target').boundingBox();
  await page.mouse.click((a.x + b.x + b.width) / 2, (a.y + b.y + b.height) / 2);
  await page.locator('.react-flow__edge.selected[data-id="load:data->split:data"]').waitFor({ state: "attached" });
  await page.keyboard.press("Delete");
  await edge.waitFor({ state: "detached" });
  const loadBox = await page.locator('.react-flow__node[data-id="load"]').boundingBox();
  const canvasBox = await page.getByTestId("canvas").boundingBox();
  await dragFromPalette(page, "drop_columns", loadBox.x - canvasBox.x + loadBox.width, Math.max(60, loadBox.y - canvasBox.y - 130));
  await connect(page, "load", "data", "drop_columns", "data");
  await connect(page, "drop_columns", "data", "split", "data");
  await selectNode(page, "drop_columns");
  const picker = page.locator('#param-drop_columns-columns select');
  await picker.locator('option[value="alive"]').waitFor({ state: "attached", timeout: 15_000 });
  await picker.selectOption("alive");
  await page.locator("#param-drop_columns-columns .chip").filter({ hasText: "alive" }).waitFor();
  await page.getByRole("button", { name: "Auto-layout" }).click();
  await page.waitForTimeout(500);
  await page.getByTestId("run").click();
  await waitStatuses(page, ["load", "drop_columns", ...ids.slice(1)]);
  assert.equal(await page.getByTestId("node-load").getAttribute("data-status"), "cached", "the unchanged load node is reused from the cache");
  await selectNode(page, "eval");
  const acc = await drawer.getByTestId("metric-accuracy").textContent();
  const pct = Number(acc.match(/([\d.]+)%/)[1]);
  assert.ok(pct > 70 && pct < 95, `realistic accuracy without the leak, got ${acc}`);
  console.log(`  (b) dropped the leaking column, re-ran with the cache: accuracy ${pct}%`);

  // Export as a Python script (GET /workflows/{id}/export) and as workflow JSON
  const scriptDownload = page.waitForEvent("download", { timeout: 60_000 });
  await page.getByTestId("menu-export").click();
  await page.getByRole("button", { name: "Python script (.py)" }).click();
  const script = await scriptDownload;
  assert.match(script.suggestedFilename(), /\.py$/);
  const code = readFileSync(await script.path(), "utf8");
  assert.match(code, /sklearn/);
  const jsonDownload = page.waitForEvent("download");
  await page.getByTestId("menu-export").click();
  await page.getByRole("button", { name: "Workflow JSON" }).click();
  const exported = JSON.parse(readFileSync(await (await jsonDownload).path(), "utf8"));
  assert.equal(exported.schema_version, 1);
  assert.ok(exported.nodes.some((n) => n.id === "drop_columns" && n.params.columns.includes("alive")));
  console.log("  (b) exported the workflow as a Python script and as JSON: ok");

  // the run history puts the two runs' metrics side by side
  await page.getByTestId("drawer-tab-history").click();
  const history = page.getByTestId("run-history");
  await history.locator("tr", { hasText: "accuracy" }).waitFor();
  const accRow = await history.locator("tr", { hasText: "accuracy" }).locator("td").allTextContents();
  const accs = accRow.slice(1).map(Number);
  assert.equal(accs.length, 2, "two runs compared");
  assert.ok(accs.every((v) => v > 0.5 && v <= 1) && accs[0] !== accs[1], `accuracy of both runs: ${accRow}`);
  await page.getByTestId("drawer-tab-output").click();

  if (SCREENSHOTS) {
    const grip = await page.locator(".drawer-resize").boundingBox();
    await page.mouse.move(grip.x + 300, grip.y + 4);
    await page.mouse.down();
    await page.mouse.move(grip.x + 300, grip.y - 260, { steps: 6 });
    await page.mouse.up();
    await page.mouse.move(5, 500);
    await page.evaluate(() => document.querySelectorAll(".toast").forEach((t) => t.click()));
    await page.waitForTimeout(400);
    await drawer.screenshot({ path: join(docsDir, "results.png") });
    console.log("  screenshots written to docs/editor.png and docs/results.png");
  }

  // a table output: the split node's rows, paged
  await selectNode(page, "split");
  await drawer.getByTestId("data-table").waitFor();
  assert.match(await drawer.getByTestId("pager").textContent(), /of 891/);
  await drawer.getByRole("button", { name: "Next page" }).click();
  await drawer.getByTestId("pager").filter({ hasText: /rows 51–100/ }).waitFor();
}

async function scenarioC(page) {
  // break a param: test_size must be below 1
  await selectNode(page, "split");
  const field = page.locator("#param-split-test_size");
  await field.fill("5");
  // an unsaved change survives a reload (the draft is kept in localStorage)
  await page.getByTestId("save-state").filter({ hasText: "Unsaved changes" }).waitFor();
  await page.waitForTimeout(500);
  await page.reload();
  await ready(page);
  await page.getByTestId("toast-info").filter({ hasText: "Restored your unsaved changes" }).waitFor();
  await page.getByTestId("save-state").filter({ hasText: "Unsaved changes" }).waitFor();
  await selectNode(page, "split");
  assert.equal(await page.locator("#param-split-test_size").inputValue(), "5");
  await page.keyboard.press("Control+s");
  const marker = page.locator('[data-testid="node-split"] [data-testid="marker-error"]');
  await marker.waitFor({ timeout: 15_000 });
  assert.match((await marker.getAttribute("title")) ?? "", /test_size/);
  const fieldError = page.getByTestId("field-error-test_size");
  await fieldError.waitFor();
  assert.match(await fieldError.textContent(), /less than 1/i);
  // hovering the marker shows the message
  await marker.hover();
  await page.locator('[data-testid="node-split"] .marker-pop').filter({ hasText: /less than 1/ }).waitFor();
  // and the run is refused with the reason
  await page.getByTestId("run").click();
  await page.getByTestId("toast-error").filter({ hasText: /test_size|less than 1|Fix/ }).first().waitFor();
  if (process.env.FLOWZA_E2E_DEBUG_SHOTS) await page.screenshot({ path: join(process.env.FLOWZA_E2E_DEBUG_SHOTS, "c.png") });
  console.log("  (c) broken param flagged on the node and beside the field: ok");
}

async function scenarioD(page) {
  // "Describe your workflow": the generated pipeline lands on the canvas
  await page.getByRole("button", { name: "✦ Generate" }).click();
  await page.locator(".prompt").fill("predict the species of the iris flowers with a random forest");
  await page.getByTestId("generate-dialog").locator("select").selectOption({ label: "iris.csv" });
  await page.getByRole("button", { name: "Generate", exact: true }).click();
  const put = page.getByRole("button", { name: "Put it on the canvas" });
  const unavailable = page.getByTestId("generate-dialog").locator(".callout.error");
  await put.or(unavailable).first().waitFor({ timeout: 30_000 });
  if (await unavailable.isVisible()) {
    console.log(`  (d) generate: ${await unavailable.textContent()}`);
    await page.keyboard.press("Escape");
    return;
  }
  await put.click();
  // (a confirmation appears only when the canvas has unsaved changes)
  await page.getByTestId("confirm-ok").click({ timeout: 1500 }).catch(() => undefined);
  await page.locator('.fnode[data-status="idle"]').first().waitFor();
  assert.ok((await page.locator(".react-flow__node").count()) >= 4, "a generated pipeline");
  assert.ok((await page.locator(".react-flow__node .fnode-title").allTextContents()).includes("Random forest"));
  console.log("  (d) describe your workflow → pipeline on the canvas: ok");
}

async function scenarioE(page) {
  // cancel a long run: a random forest on diamonds.csv (54k rows)
  await uploadDataset(page, "diamonds.csv", 60_000);
  await page.getByTestId("tab-nodes").click();
  await page.getByTestId("menu-workflow").click();
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByTestId("confirm-ok").click({ timeout: 1500 }).catch(() => undefined);
  await page.getByTestId("canvas-empty").waitFor();
  await dragFromPalette(page, "load_csv", 120, 150);
  await dragFromPalette(page, "train_test_split", 360, 150);
  await dragFromPalette(page, "encode_categorical", 600, 150);
  await dragFromPalette(page, "random_forest", 840, 150);
  await page.keyboard.press("f");
  await page.waitForTimeout(400);
  await connect(page, "load_csv", "data", "train_test_split", "data");
  await connect(page, "train_test_split", "data", "encode_categorical", "data");
  await connect(page, "encode_categorical", "data", "random_forest", "data");
  await selectNode(page, "load_csv");
  await page.locator("#param-load_csv-dataset").selectOption("diamonds.csv");
  await selectNode(page, "train_test_split");
  await page.locator('#param-train_test_split-target option[value="price"]').waitFor({ state: "attached", timeout: 15_000 });
  await page.locator("#param-train_test_split-target").selectOption("price");
  await selectNode(page, "random_forest");
  await page.locator("#param-random_forest-n_estimators").fill("30");
  // with the results drawer on its Log tab (issue 23: a new log line used to blank the page)
  await page.getByTestId("drawer-tab-log").click();
  await page.getByTestId("run").click();
  await page.locator(".log-line").nth(1).waitFor({ timeout: 30_000 });
  assertEditorAlive(page, "after Run with the Log tab open");
  await page.locator('[data-testid="node-random_forest"][data-status="running"]').waitFor({ timeout: 60_000 });
  // from Cancel until the run's end the top bar and the running node say "cancelling…": watch
  // the page, as the server may stop the node within milliseconds
  await page.evaluate(() => {
    const seen = { bar: false, badge: false, barGoneWhileActive: false };
    window.__cancelling = seen;
    new MutationObserver(() => {
      const bar = document.querySelector('[data-testid="run-cancelling"]');
      if (bar) seen.bar = true;
      else if (seen.bar && !document.querySelector('[data-testid="run"]')) seen.barGoneWhileActive = true;
      if (document.querySelector('[data-testid="status-random_forest"][data-cancelling="true"]')?.textContent === "cancelling…") seen.badge = true;
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  const cancelledAt = Date.now();
  await page.getByTestId("cancel-run").click();
  if (process.env.FLOWZA_E2E_DEBUG_SHOTS) await page.screenshot({ path: join(process.env.FLOWZA_E2E_DEBUG_SHOTS, "e-cancelling.png") });
  await page.getByTestId("toast-info").filter({ hasText: "Run cancelled" }).waitFor({ timeout: 90_000 });
  await page.getByTestId("run").waitFor();
  const stopSeconds = ((Date.now() - cancelledAt) / 1000).toFixed(1);
  const cancelling = await page.evaluate(() => window.__cancelling);
  assert.deepEqual(cancelling, { bar: true, badge: true, barGoneWhileActive: false }, "cancelling… shown from Cancel until the run ended");
  assert.equal(await page.locator('[data-cancelling="true"], [data-testid="run-cancelling"]').count(), 0, "no cancelling state after the end");
  assert.equal(await page.getByTestId("node-random_forest").getAttribute("data-status"), "cancelled");
  assert.equal(await page.getByTestId("node-load_csv").getAttribute("data-status"), "succeeded");
  await page.locator(".log-line", { hasText: "cancelled" }).first().waitFor();
  assert.ok(await page.locator(".topbar").isVisible(), "the top bar is still there");
  assert.equal(await page.locator(".react-flow__node").count(), 4, "the canvas still shows the nodes");
  assertEditorAlive(page, "after Cancel with the Log tab open");
  await page.getByTestId("drawer-tab-output").click();
  console.log(`  (e) cancel a running random forest with the Log tab open ("cancelling…" until it stopped, ${stopSeconds} s after Cancel): ok`);
}

async function scenarioH(page) {
  // a regressor's evaluate node draws predicted-vs-actual and residual charts
  await uploadDataset(page, "tips.csv");
  await page.getByTestId("tab-nodes").click();
  await page.getByTestId("open-templates").click();
  await page.getByTestId("template-regression").click();
  const confirm = page.getByTestId("confirm-ok");
  if (await confirm.isVisible().catch(() => false)) await confirm.click();
  await page.locator(".react-flow__node[data-id=eval]").waitFor();
  await selectNode(page, "load");
  await page.locator("#param-load-dataset").selectOption("tips.csv");
  await selectNode(page, "split");
  await page.locator('#param-split-target option[value="tip"]').waitFor({ state: "attached", timeout: 15_000 });
  await page.locator("#param-split-target").selectOption("tip");
  await page.locator("#param-split-target").blur();
  await page.getByTestId("run").click();
  await waitStatuses(page, ["load", "split", "impute", "encode", "scale", "model", "eval"]);
  await selectNode(page, "eval");
  const drawer = page.getByTestId("results-drawer");
  await drawer.getByTestId("pred-vs-actual").waitFor({ timeout: 20_000 });
  await drawer.getByTestId("residuals").waitFor();
  const points = await drawer.locator("[data-testid=pred-vs-actual] circle").count();
  assert.equal(points, 49, "one point per test row (20% of 244)");
  console.log("  (h) regression: predicted vs actual and residuals: ok");
}

async function scenarioF(page) {
  // import a workflow JSON whose model fails at run time: the node shows its error, the rest is skipped
  const csv = ["a,b,y", ...Array.from({ length: 9 }, (_, i) => `${i},${i * 2},0`), "9,18,1"].join("\n") + "\n";
  await page.getByTestId("tab-datasets").click();
  await page.getByTestId("file-input").setInputFiles({ name: "tiny.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByTestId("dataset-tiny.csv").waitFor({ timeout: 30_000 });
  await page.getByTestId("tab-nodes").click();
  const doc = {
    schema_version: 1,
    name: "Too few positives",
    nodes: [
      { id: "load", type: "load_csv", params: { dataset: "tiny.csv" } },
      { id: "split", type: "train_test_split", params: { target: "y", stratify: false, test_size: 0.1, seed: 5 } },
      { id: "model", type: "logistic_regression", params: {} },
      { id: "eval", type: "evaluate", params: {} },
    ],
    edges: [
      { source: "load", target: "split" },
      { source: "split", target: "model" },
      { source: "model", target: "eval" },
    ],
  };
  await page.getByTestId("import-input").setInputFiles({ name: "few.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(doc)) });
  await page.getByTestId("confirm-ok").click({ timeout: 1500 }).catch(() => undefined);
  await page.locator('.react-flow__node[data-id="model"]').waitFor();
  assert.equal(await page.getByTestId("workflow-name").inputValue(), "Too few positives");
  await page.getByTestId("run").click();
  await page.locator('[data-testid="node-model"][data-status="failed"]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="node-eval"][data-status="skipped"]').waitFor();
  assert.match(await page.locator('[data-testid="node-model"] .fnode-error').textContent(), /single class/);
  await page.getByTestId("toast-error").filter({ hasText: /model failed/ }).waitFor();
  await page.getByTestId("node-error").filter({ hasText: /single class/ }).waitFor(); // the inspector selects it
  if (process.env.FLOWZA_E2E_DEBUG_SHOTS) await page.screenshot({ path: join(process.env.FLOWZA_E2E_DEBUG_SHOTS, "f.png") });
  console.log("  (f) imported workflow, failed node shows its error, downstream skipped: ok");
}

async function scenarioI(page) {
  // titanic's `alive` column is the target in words: the run's warning stands next to its score
  // (titanic.csv is there from the start: serve adds it from the shared datasets)
  const chain = ["load", "split", "impute", "encode", "model", "eval"];
  const types = ["load_csv", "train_test_split", "impute", "encode_categorical", "logistic_regression", "evaluate"];
  const doc = {
    schema_version: 1,
    name: "Titanic with the leak",
    nodes: chain.map((id, i) => ({
      id,
      type: types[i],
      params: id === "load" ? { dataset: "titanic.csv" } : id === "split" ? { target: "survived" } : {},
      position: { x: 240 * i, y: 0 },
    })),
    edges: chain.slice(1).map((id, i) => ({ source: chain[i], target: id })),
  };
  await page.getByTestId("import-input").setInputFiles({ name: "leak.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(doc)) });
  await page.getByTestId("confirm-ok").click({ timeout: 1500 }).catch(() => undefined);
  await page.locator('.react-flow__node[data-id="eval"]').waitFor();
  assert.equal(await page.getByTestId("workflow-name").inputValue(), "Titanic with the leak");
  await page.getByTestId("run").click();
  await waitStatuses(page, chain);
  await selectNode(page, "eval");
  const drawer = page.getByTestId("results-drawer");
  const accuracy = drawer.getByTestId("metric-accuracy");
  await accuracy.waitFor({ timeout: 20_000 });
  const warning = drawer.getByTestId("run-warnings");
  await warning.waitFor();
  assert.match(await warning.textContent(), /'alive'.*'survived'/);
  const [w, acc, box] = [await warning.boundingBox(), await accuracy.boundingBox(), await drawer.boundingBox()];
  assert.ok(w.y + w.height <= acc.y, "the warning stands right above the metrics");
  assert.ok(w.y >= box.y && w.y + w.height <= box.y + box.height, "the warning is in view in the drawer");
  if (process.env.FLOWZA_E2E_DEBUG_SHOTS) await page.screenshot({ path: join(process.env.FLOWZA_E2E_DEBUG_SHOTS, "i.png") });
  // collapsed, the drawer's bar still says so, and opens the results again
  await page.getByRole("button", { name: "Collapse results" }).click();
  const chip = page.getByTestId("drawer-warnings");
  await chip.filter({ hasText: /\d+ warnings?/ }).waitFor();
  await chip.click();
  await drawer.getByTestId("run-warnings").waitFor();
  console.log(`  (i) the leak warning is shown with the results (accuracy ${(await accuracy.textContent()).replace(/\D*([\d.]+%).*/, "$1")}): ok`);
}

async function scenarioG(browser) {
  // a server with accounts: log in, upload, run (events stream with the token), log out
  const server = await startServer({ auth: true });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  try {
    server.createUser("alice", "correct-horse-42");
    await page.goto(server.url);
    await page.getByTestId("login-dialog").waitFor({ timeout: 30_000 });
    await page.getByLabel("User name").fill("alice");
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByTestId("login-dialog").locator(".callout.error").waitFor();
    await page.getByLabel("Password").fill("correct-horse-42");
    await page.getByRole("button", { name: "Log in" }).click();
    await ready(page);
    await uploadDataset(page, "iris.csv");
    await page.getByTestId("tab-nodes").click();
    await page.getByTestId("open-templates").click();
    await page.getByTestId("template-multiclass_classification").click();
    await selectNode(page, "load");
    await page.locator("#param-load-dataset").selectOption("iris.csv");
    await selectNode(page, "split");
    await page.locator('#param-split-target option[value="species"]').waitFor({ state: "attached", timeout: 15_000 });
    await page.locator("#param-split-target").selectOption("species");
    await page.getByTestId("run").click();
    const ids = await page.locator(".react-flow__node").evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    await waitStatuses(page, ids);
    await page.getByTestId("user-menu").click();
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByTestId("login-dialog").waitFor();
    console.log("  (g) server with accounts: log in, upload, run with live events, log out: ok");
  } finally {
    await page.close();
    await server.stop();
  }
}

// Uncaught errors in the main page; a scenario can check them as it goes.
const pageErrors = new WeakMap();
// Console errors a scenario causes on purpose (a request the server must refuse), each allowed once.
const expectedConsoleErrors = [];

function assertEditorAlive(page, when) {
  assert.deepEqual(pageErrors.get(page) ?? [], [], `no uncaught errors in the page ${when}`);
}

async function main() {
  const server = await startServer();
  const browser = await launchBrowser();
  let failed = false;
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
  const consoleErrors = [];
  pageErrors.set(page, consoleErrors);
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.on("dialog", (d) => void d.accept());
  const consoleMessages = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleMessages.push(`${m.text()} (${m.location().url ?? ""})`);
  });
  // --only=be runs scenarios b and e alone (they set up what they need; c needs b, d needs a)
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).toLowerCase();
  const wanted = (letter) => !only || only.includes(letter);
  try {
    console.log(`flowza serve at ${server.url}`);
    if (wanted("a")) await scenarioA(page, server.url);
    else {
      await page.goto(server.url);
      await ready(page);
    }
    if (wanted("b")) await scenarioB(page);
    if (wanted("c")) await scenarioC(page);
    if (wanted("d")) await scenarioD(page);
    if (wanted("e")) await scenarioE(page);
    if (wanted("f")) await scenarioF(page);
    if (wanted("h")) await scenarioH(page);
    if (wanted("i")) await scenarioI(page);
    if (wanted("g")) await scenarioG(browser);
    assert.deepEqual(consoleErrors, [], "no uncaught errors in the page");
    // no failed request or logged error in the console, e.g. no 409 from asking for outputs too early
    const unexpected = consoleMessages.filter((text) => {
      const i = expectedConsoleErrors.findIndex((re) => re.test(text));
      if (i >= 0) expectedConsoleErrors.splice(i, 1);
      return i < 0;
    });
    assert.deepEqual(unexpected, [], "no errors in the browser console");
    console.log("e2e: all scenarios passed");
  } catch (error) {
    failed = true;
    console.error("e2e FAILED:", error);
    try {
      await page.screenshot({ path: resolve(repoRoot, "frontend", "e2e-failure.png") });
      console.error("screenshot: frontend/e2e-failure.png");
    } catch {
      /* page gone */
    }
    console.error("page errors:", consoleErrors);
    console.error("console errors:", consoleMessages);
    console.error("server log (tail):\n" + server.log().split("\n").slice(-40).join("\n"));
  } finally {
    await browser.close();
    await server.stop();
  }
  process.exit(failed ? 1 : 0);
}

await main();
