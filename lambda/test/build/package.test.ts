import { readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { createSandbox, FIXTURES, type Run, run, type Sandbox, sha256 } from "./sandbox";

const RULES = join(FIXTURES, "rules-crlf.yaml");

describe("scripts/package", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let packaged: Run;
  let built: Run;

  before(async () => {
    sandbox = createSandbox();
    [packaged, built] = await Promise.all([
      run(join(sandbox.root, "scripts", "package"), ["--rules", RULES, "--out", "dist/ipam-monitor.zip"], {
        cwd: sandbox.root,
        env: sandbox.env,
      }),
      run(join(sandbox.root, "scripts", "build"), ["--rules", RULES, "--out", "built/ipam-monitor.zip"], {
        cwd: sandbox.root,
        env: sandbox.env,
      }),
    ]);
  });

  after(() => {
    sandbox.remove();
  });

  it("writes the same zip as scripts/build", () => {
    expect(packaged.status, packaged.stderr).to.equal(0);
    expect(built.status, built.stderr).to.equal(0);
    expect(sha256(join(sandbox.root, "dist/ipam-monitor.zip"))).to.equal(
      sha256(join(sandbox.root, "built/ipam-monitor.zip")),
    );
  });

  it("starts its output with the line scripts/build prints", () => {
    expect(packaged.stdout.split("\n")[0]).to.equal(built.stdout.replace("built/", "dist/").trimEnd());
  });

  it("tells the user to set the module's lambda_package to the zip", () => {
    expect(packaged.stdout).to.include('lambda_package = "dist/ipam-monitor.zip"');
  });

  it("leaves nothing behind in TMPDIR", () => {
    expect(readdirSync(sandbox.tmp)).to.deep.equal([]);
  });

  it("prints the next step only after a successful build", async () => {
    const result = await run(
      join(sandbox.root, "scripts", "package"),
      ["--rules", join(FIXTURES, "rules-rejected.yaml"), "--out", "x.zip"],
      {
        cwd: sandbox.root,
        env: sandbox.env,
      },
    );

    expect(result.status).to.equal(1);
    expect(result.stdout).to.equal("");
  });
});
