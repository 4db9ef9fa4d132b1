import { spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { REPO_DIR, type Run, run } from "./sandbox";

const LIB = join(REPO_DIR, "scripts", "lib", "build.sh");

/**
 * The install step of scripts/build (build_ensure_dependencies in
 * scripts/lib/build.sh), driven against a throwaway lambda/ directory with an
 * npm that records its calls instead of installing anything.
 */
describe("scripts/build's dependency install", function () {
  this.timeout(30_000);
  let root: string;
  let lambda: string;
  let calls: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "ipam-monitor-deps-test-"));
    lambda = join(root, "lambda");
    mkdirSync(lambda);
    writeFileSync(join(lambda, "package-lock.json"), "{}\n");
    calls = join(root, "npm-calls");
    const bin = join(root, "bin");
    mkdirSync(bin);
    // Records "cwd: args", takes FAKE_NPM_SECONDS, then behaves like a successful or failed npm ci.
    writeFileSync(
      join(bin, "npm"),
      [
        "#!/bin/sh",
        'echo "$(pwd): $*" >> "$FAKE_NPM_CALLS"',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template.
        'sleep "${FAKE_NPM_SECONDS:-0}"',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template.
        'if [ "${FAKE_NPM_FAIL:-}" = 1 ]; then echo "npm ERR! code E404 (fake)" >&2; exit 1; fi',
        "mkdir -p node_modules && echo '{}' > node_modules/.package-lock.json",
        "",
      ].join("\n"),
    );
    chmodSync(join(bin, "npm"), 0o755);
    env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, FAKE_NPM_CALLS: calls, TMPDIR: root };
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function ensureDependencies(extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
    return run("bash", ["-c", 'set -euo pipefail; source "$0"; build_ensure_dependencies "$1"', LIB, lambda], {
      env: { ...env, ...extraEnv },
    });
  }

  function npmCalls(): string[] {
    return existsSync(calls) ? readFileSync(calls, "utf8").trim().split("\n") : [];
  }

  function installed(at: Date): void {
    mkdirSync(join(lambda, "node_modules"), { recursive: true });
    writeFileSync(join(lambda, "node_modules", ".package-lock.json"), "{}\n");
    utimesSync(join(lambda, "node_modules", ".package-lock.json"), at, at);
  }

  it("runs npm ci in lambda/ when node_modules is missing", async () => {
    const result = await ensureDependencies();

    expect(result.status, result.stderr).to.equal(0);
    expect(npmCalls()).to.deep.equal([`${lambda}: ci --no-audit --no-fund --loglevel=error`]);
  });

  it("does not run npm when node_modules was installed after the lockfile last changed", async () => {
    utimesSync(join(lambda, "package-lock.json"), new Date("2024-01-01"), new Date("2024-01-01"));
    installed(new Date("2024-06-01"));

    const result = await ensureDependencies();

    expect(result.status, result.stderr).to.equal(0);
    expect(npmCalls()).to.deep.equal([]);
  });

  it("runs npm ci when package-lock.json is newer than the installed node_modules", async () => {
    installed(new Date("2024-01-01"));

    await ensureDependencies();

    expect(npmCalls()).to.have.length(1);
  });

  it("says nothing on stdout while installing, so the build still prints one line", async () => {
    const result = await ensureDependencies();

    expect(result.stdout).to.equal("");
  });

  it("shows npm's output and fails when npm ci fails", async () => {
    const result = await ensureDependencies({ FAKE_NPM_FAIL: "1" });

    expect(result.status).to.equal(1);
    expect(result.stderr).to.include("npm ERR! code E404 (fake)");
    expect(result.stderr).to.include(`npm ci failed in ${lambda}`);
  });

  it("installs once when two builds need the dependencies at the same time", async () => {
    const results = await Promise.all([
      ensureDependencies({ FAKE_NPM_SECONDS: "1" }),
      ensureDependencies({ FAKE_NPM_SECONDS: "1" }),
    ]);

    expect(results.map((r) => r.status)).to.deep.equal([0, 0]);
    expect(npmCalls()).to.have.length(1);
  });

  it("takes over the install lock of a build that died", async () => {
    const dead = spawn("true");
    await new Promise((done) => dead.on("exit", done));
    mkdirSync(join(lambda, ".npm-ci.lock"));
    writeFileSync(join(lambda, ".npm-ci.lock", "pid"), `${dead.pid}\n`);

    const result = await ensureDependencies();

    expect(result.status, result.stderr).to.equal(0);
    expect(npmCalls()).to.have.length(1);
    expect(existsSync(join(lambda, ".npm-ci.lock"))).to.equal(false);
  });
});
