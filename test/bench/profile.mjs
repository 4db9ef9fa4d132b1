// @ts-check
/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and lists the functions that took
 * the most time themselves, for `scripts/bench --profile`.
 */

import { readFileSync } from "node:fs";

/**
 * @typedef {{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }} CpuProfile
 * @typedef {{ name: string; where: string; selfMs: number; share: number }} Hotspot
 * @typedef {{ module: string; selfMs: number; share: number }} ModuleShare
 */

/**
 * Self time per function (same name and location), most first.
 * @param {CpuProfile} profile
 * @param {number} top
 * @returns {Hotspot[]}
 */
export function hotspots(profile, top) {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<string, Hotspot>} */
  const totals = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const micros = profile.timeDeltas[i] ?? 0;
    if (node === undefined) return;
    total += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName === "" ? "(anonymous)" : functionName;
    const file = url
      .replace(/^file:\/\//, "")
      .split("/")
      .slice(-2)
      .join("/");
    const where = file === "" ? "" : `${file}:${lineNumber + 1}`;
    const key = `${name} ${where}`;
    const entry = totals.get(key) ?? { name, where, selfMs: 0, share: 0 };
    entry.selfMs += micros / 1000;
    totals.set(key, entry);
  });
  const list = [...totals.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  for (const entry of list) entry.share = total === 0 ? 0 : (entry.selfMs * 1000) / total;
  return list;
}

/**
 * @param {string} file a .cpuprofile
 * @param {number} top
 */
export function readHotspots(file, top) {
  return hotspots(/** @type {CpuProfile} */ (JSON.parse(readFileSync(file, "utf8"))), top);
}

/**
 * Where each line of an unminified esbuild bundle came from: esbuild writes a
 * "// node_modules/<package>/…" or "// src/<file>" comment before each module.
 * @param {string} bundleText
 * @returns {[number, string][]} (first line, module) pairs in line order; lines count from 1
 */
export function bundleModules(bundleText) {
  /** @type {[number, string][]} */
  const starts = [];
  bundleText.split("\n").forEach((line, index) => {
    const match = /^\/\/ (?:node_modules\/((?:@[^/]+\/)?[^/]+)\/\S*|(src\/\S+|\.\.\/\S+))$/.exec(line);
    if (match) starts.push([index + 1, match[1] ?? match[2] ?? "?"]);
  });
  return starts;
}

/**
 * Self time per bundled module (an npm package, or one of our source files),
 * plus V8's own entries such as "(garbage collector)"; most first.
 * @param {CpuProfile} profile
 * @param {string} bundleFile path of the bundle the profile ran
 * @param {string} bundleText its text
 * @returns {ModuleShare[]}
 */
export function moduleShares(profile, bundleFile, bundleText) {
  const starts = bundleModules(bundleText);
  /** @param {number} line */
  const moduleAt = (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = "(bundle prelude)";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = /** @type {[number, string]} */ (starts[mid]);
      if (start[0] <= line) {
        found = start[1];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  };
  const bundleName = bundleFile.split("/").slice(-2).join("/");
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<string, number>} */
  const totals = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const micros = profile.timeDeltas[i] ?? 0;
    if (node === undefined) return;
    total += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    let key;
    if (url.endsWith(bundleName)) key = moduleAt(lineNumber + 1);
    else if (url === "") key = functionName.startsWith("(") ? functionName : `(V8: ${functionName || "anonymous"})`;
    else key = "(Node.js internals)";
    totals.set(key, (totals.get(key) ?? 0) + micros);
  });
  return [...totals.entries()]
    .map(([module, micros]) => ({ module, selfMs: micros / 1000, share: total === 0 ? 0 : micros / total }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

/**
 * @param {string} file a .cpuprofile
 * @param {string} bundleFile the bundle it profiled
 */
export function readModuleShares(file, bundleFile) {
  return moduleShares(
    /** @type {CpuProfile} */ (JSON.parse(readFileSync(file, "utf8"))),
    bundleFile,
    readFileSync(bundleFile, "utf8"),
  );
}
