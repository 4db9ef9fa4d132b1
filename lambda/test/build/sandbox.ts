/**
 * Helpers for the build tests: a throwaway copy of the repository's build
 * files with stand-in sources, a promise-returning process runner, and a zip
 * reader that is not ours (Python's zipfile).
 */
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const LAMBDA_DIR = resolve(__dirname, "../..");
export const REPO_DIR = resolve(LAMBDA_DIR, "..");
export const FIXTURES = join(__dirname, "fixtures");

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; never rejects on a non-zero exit, so tests can assert on it. */
export function run(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, encoding: "utf8" },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        done({ status, stdout, stderr });
      },
    );
  });
}

export function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

export interface Sandbox {
  /** Root of the copy: scripts/ and lambda/ as in the repository. */
  root: string;
  /** TMPDIR for the builds, so tests can check that nothing is left in it. */
  tmp: string;
  /** Environment for running the copy's scripts: TMPDIR set, and an npm that refuses to run. */
  env: NodeJS.ProcessEnv;
  remove(): void;
}

/**
 * A copy of the build files (scripts/build, scripts/package, scripts/ipam-monitor, scripts/lib,
 * lambda/build.mjs, lambda/scripts) with the stand-in handler and command as
 * its sources, sharing this checkout's node_modules. The real sources are
 * built by real-sources.test.ts.
 */
export function createSandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), "ipam-monitor-build-test-"));
  const lambda = join(root, "lambda");
  for (const path of [
    "scripts/build",
    "scripts/package",
    "scripts/ipam-monitor",
    "scripts/lib/build.sh",
    "lambda/build.mjs",
    "lambda/scripts",
    "lambda/package.json",
    "lambda/package-lock.json",
  ]) {
    cpSync(join(REPO_DIR, path), join(root, path), { recursive: true, preserveTimestamps: true });
  }
  mkdirSync(join(lambda, "src", "bin"), { recursive: true });
  cpSync(join(FIXTURES, "stand-in-handler.ts"), join(lambda, "src", "handler.ts"));
  cpSync(join(FIXTURES, "stand-in-cli.ts"), join(lambda, "src", "bin", "ipam-monitor.ts"));
  symlinkSync(join(LAMBDA_DIR, "node_modules"), join(lambda, "node_modules"), "dir");
  // The shared node_modules counts as installed from this lockfile, so the build never wants npm ci…
  const longAgo = new Date("2000-01-01T00:00:00Z");
  utimesSync(join(lambda, "package-lock.json"), longAgo, longAgo);
  // …and if it ever did, this npm fails instead of reinstalling the checkout's node_modules through the link.
  const bin = join(root, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "npm"), "#!/bin/sh\necho 'npm must not run in the build tests' >&2\nexit 97\n");
  chmodSync(join(bin, "npm"), 0o755);
  const tmp = join(root, "tmp");
  mkdirSync(tmp);
  return {
    root,
    tmp,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, TMPDIR: tmp },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface ZipEntryInfo {
  name: string;
  dateTime: number[];
  mode: number;
  createSystem: number;
  compressType: number;
  extra: string;
  data: Buffer;
}

const READ_ZIP = `
import base64, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(json.dumps({
        "bad": z.testzip(),
        "entries": [{
            "name": i.filename, "dateTime": list(i.date_time), "mode": i.external_attr >> 16,
            "createSystem": i.create_system, "compressType": i.compress_type, "extra": i.extra.hex(),
            "data": base64.b64encode(z.read(i)).decode(),
        } for i in z.infolist()],
    }))
`;

/** Reads a zip with Python's zipfile: the names, dates and modes it sees, and the first entry with a bad CRC. */
export function readZipWithPython(path: string): { bad: string | null; entries: ZipEntryInfo[] } {
  const out = JSON.parse(
    execFileSync("python3", ["-c", READ_ZIP, path], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }),
  ) as {
    bad: string | null;
    entries: (Omit<ZipEntryInfo, "data"> & { data: string })[];
  };
  return { bad: out.bad, entries: out.entries.map((e) => ({ ...e, data: Buffer.from(e.data, "base64") })) };
}

/** Extracts a zip with Python into a fresh directory outside any node_modules tree. */
export function extractWithPython(zip: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ipam-monitor-unzipped-"));
  execFileSync("python3", [
    "-c",
    "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
    zip,
    dir,
  ]);
  return dir;
}
