// @ts-check
/**
 * Starts and stops the IPAM emulation layer (test/emulator/ipam_proxy.py) in
 * its synthetic mode: N generated resource CIDRs served over the EC2 Query
 * protocol on a loopback port, PutMetricData accepted and counted.
 */

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const START_TIMEOUT_MS = 120_000;

/**
 * @typedef {{
 *   calls: Record<string, number>;
 *   totalCalls: number;
 *   metrics: { datums: number; series: number; seriesByNamespace: Record<string, number> };
 * }} EmulatorStats
 */

/**
 * @typedef {{
 *   endpoint: string;
 *   pid: number;
 *   stats(): Promise<EmulatorStats>;
 *   reset(): Promise<void>;
 *   stop(): Promise<void>;
 * }} Emulator
 */

/**
 * `network` ({ subnets, interfaces }) serves a synthetic EC2 network (test/emulator/synthetic_ec2.py,
 * the capacity benchmark) instead of `resources` IPAM resource CIDRs.
 * @param {{ repo: string; workDir: string; resources: number; scopeTypes: string; seed: number; network?: { subnets: number; interfaces: number } }} options
 * @returns {Promise<Emulator>}
 */
export async function startEmulator({ repo, workDir, resources, scopeTypes, seed, network }) {
  const script = join(repo, "test", "emulator", "ipam_proxy.py");
  if (!existsSync(script))
    throw new Error(`${script} is missing: the benchmark serves its inventory through the IPAM emulation layer`);
  const portFile = join(workDir, network ? `emulator-ec2-${network.subnets}.port` : `emulator-${resources}.port`);
  const mode = network
    ? ["--synthetic-ec2", `${network.subnets}:${network.interfaces}`]
    : ["--synthetic", String(resources), "--scopes", scopeTypes];
  const child = spawn("python3", [script, ...mode, "--seed", String(seed), "--port-file", portFile], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  /** @type {number | null} */
  let exitCode = null;
  child.on("exit", (code, signal) => (exitCode = code ?? (signal ? 128 : 1)));
  if (child.pid === undefined) throw new Error("could not start python3 for the IPAM emulator; is Python 3 installed?");

  const started = Date.now();
  while (!existsSync(portFile)) {
    if (exitCode !== null)
      throw new Error(`the IPAM emulator exited with status ${exitCode} before listening:\n${stderr}`);
    if (Date.now() - started > START_TIMEOUT_MS) {
      child.kill("SIGTERM");
      throw new Error(`the IPAM emulator did not listen within ${START_TIMEOUT_MS / 1000}s:\n${stderr}`);
    }
    await sleep(50);
  }
  const port = Number(readFileSync(portFile, "utf8").trim());
  const endpoint = `http://127.0.0.1:${port}`;

  return {
    endpoint,
    pid: child.pid,
    async stats() {
      const response = await fetch(`${endpoint}/_stats`);
      if (!response.ok) throw new Error(`GET ${endpoint}/_stats answered ${response.status}`);
      return /** @type {EmulatorStats} */ (await response.json());
    },
    async reset() {
      const response = await fetch(`${endpoint}/_stats/reset`, { method: "POST" });
      if (!response.ok) throw new Error(`POST ${endpoint}/_stats/reset answered ${response.status}`);
    },
    async stop() {
      if (exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(5000)]);
      if (exitCode === null) child.kill("SIGKILL");
    },
  };
}
