/**
 * The state machine definition the module deploys (templates/scan-state-machine.asl.json): valid
 * Amazon States Language (asl-validator), wired to the steps the function knows, and, run with the
 * function against an organization, the same scan as one invocation.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import aslValidator from "asl-validator";
import { expect } from "chai";
import { FAN_OUT_ACTIONS } from "../../src/fanout/events";
import { FAN_OUT_FIGURES } from "../../src/fanout/plan";
import type { PlanOutput } from "../../src/fanout/steps";
import { createHandler } from "../../src/handler";
import { type FakeOrganization, fakeOrganization, MANAGEMENT } from "../fixtures/org/organization";
import { AslRunner, renderTemplate, StatesError } from "./asl-runner";

const ROOT = join(__dirname, "..", "..", "..");
const TEMPLATE = readFileSync(join(ROOT, "templates", "scan-state-machine.asl.json"), "utf8");
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${MANAGEMENT}:function:ipam-monitor`;
const VARIABLES = {
  timeout_seconds: 3600,
  partition: "aws",
  function_arn: FUNCTION_ARN,
  max_concurrency: FAN_OUT_FIGURES.maxConcurrentShards,
  shard_retry_interval_seconds: 10,
  shard_retry_attempts: 2,
};

type Obj = Record<string, unknown>;

function definition(): Obj {
  return renderTemplate(TEMPLATE, VARIABLES);
}

function states(machine: Obj): Record<string, Obj> {
  return machine.States as Record<string, Obj>;
}

/** Every Task's lambda:invoke Payload, with the Map's ItemSelector standing for its child's "$". */
function actionsInvoked(machine: Obj): string[] {
  const found: string[] = [];
  for (const state of Object.values(states(machine))) {
    const payload = (state.Parameters as Obj | undefined)?.Payload as Obj | undefined;
    if (typeof payload?.action === "string") found.push(payload.action);
    if (state.ItemSelector !== undefined) found.push(String((state.ItemSelector as Obj).action));
    if (state.ItemProcessor !== undefined) found.push(...actionsInvoked(state.ItemProcessor as Obj));
  }
  return found;
}

describe("the state machine definition", () => {
  it("is valid Amazon States Language", () => {
    const { isValid, errorsText } = aslValidator(definition());

    expect(isValid, errorsText("\n")).to.equal(true);
  });

  it("is refused by the validator when a transition is broken, so the check above can fail", () => {
    const broken = definition();
    (states(broken).Finish as Obj).Next = "Nowhere";

    expect(aslValidator(broken).isValid).to.equal(false);
  });

  it("uses exactly the variables fan-out.tf passes to templatefile", () => {
    const tf = readFileSync(join(ROOT, "fan-out.tf"), "utf8");
    const call = /templatefile\("\$\{path\.module\}\/templates\/scan-state-machine\.asl\.json", \{([^}]*)\}\)/.exec(tf);
    const passed = [...(call?.[1] ?? "").matchAll(/^\s*(\w+)\s*=/gm)].map((m) => m[1]).sort();
    const used = [...new Set([...TEMPLATE.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))].sort();

    expect(call, "fan-out.tf renders the template with templatefile").not.to.equal(null);
    expect(passed).to.deep.equal(used);
  });

  it("asks the function only for the steps it knows", () => {
    const actions = actionsInvoked(definition());

    expect(actions).to.have.members(["plan", "scan", "collect-shard", "record-shard-failure", "finish"]);
    for (const action of actions) expect(FAN_OUT_ACTIONS).to.include(action);
  });

  it("reads the plan's fields that the plan step returns", () => {
    const sample: PlanOutput = {
      scanId: "x",
      mode: "sharded",
      bucket: "b",
      planKey: "k",
      accounts: 1,
      accountRegions: 1,
      skippedAccounts: 0,
      shards: 1,
    };
    const paths = [...JSON.stringify(definition()).matchAll(/"\$\.plan\.(\w+)"/g)].map((m) => m[1]);

    expect(paths).to.have.length.greaterThan(3);
    for (const field of paths) expect(sample, `$.plan.${field}`).to.have.property(field as string);
  });

  it("retries a shard with backoff, then records its failure instead of failing the scan", () => {
    const map = states(definition()).CollectShards as Obj;
    const collect = (states(map.ItemProcessor as Obj).CollectShard as Obj) ?? {};
    const retries = collect.Retry as Obj[];

    expect(map.ToleratedFailurePercentage).to.equal(100);
    expect((map.ItemProcessor as Obj).ProcessorConfig).to.deep.equal({
      Mode: "DISTRIBUTED",
      ExecutionType: "STANDARD",
    });
    expect(retries.at(-1)).to.include({ IntervalSeconds: 10, MaxAttempts: 2, BackoffRate: 3 });
    expect(retries.every((r) => (r.BackoffRate as number) > 1)).to.equal(true);
    expect(collect.Catch).to.deep.equal([
      { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "RecordShardFailure" },
    ]);
  });

  it("never retries the final step on its own errors, which would publish and notify twice", () => {
    for (const retrier of (states(definition()).Finish as Obj).Retry as Obj[]) {
      expect(retrier.ErrorEquals).not.to.include("States.ALL");
      expect(retrier.ErrorEquals).not.to.include("States.TaskFailed");
      for (const error of retrier.ErrorEquals as string[]) expect(error).to.match(/^Lambda\./);
    }
  });

  describe("run with the function", () => {
    const REGIONS = ["us-east-1", "eu-west-1"];
    let org: FakeOrganization;
    let taskRoot: string;

    beforeEach(() => {
      org = fakeOrganization(
        [
          { id: MANAGEMENT, name: "management" },
          { id: "222222222222", name: "payments" },
          { id: "333333333333", name: "data" },
          { id: "444444444444", name: "legacy", denied: true },
        ],
        REGIONS,
      );
      org.mocked.cloudwatch.on(PutMetricDataCommand).resolves({});
      taskRoot = mkdtempSync(join(tmpdir(), "ipam-monitor-asl-"));
      writeFileSync(
        join(taskRoot, "rules.yaml"),
        "version: 1\nscopes:\n  - name: all\n    thresholds: { critical: 10 }\n",
      );
    });
    afterEach(() => {
      org.restore();
      rmSync(taskRoot, { recursive: true, force: true });
    });

    function runner(fanOut: "auto" | "step-functions", failShard?: number): AslRunner {
      const handler = createHandler({
        env: {
          AWS_REGION: "us-east-1",
          LAMBDA_TASK_ROOT: taskRoot,
          SOURCE: "ec2",
          REGIONS: REGIONS.join(","),
          ORGANIZATION: "true",
          FAN_OUT: fanOut,
          SCAN_BUCKET: "ipam-monitor-scans",
        },
        write: () => undefined,
        createClients: () => org.clients,
      });
      return new AslRunner({
        executionName: "exec-1",
        async invoke(functionName, payload) {
          expect(functionName).to.equal(FUNCTION_ARN);
          const event = payload as { action?: string; shard?: { index: number } };
          if (event.action === "collect-shard" && event.shard?.index === failShard) {
            const err = new Error("Task timed out after 300.00 seconds");
            err.name = "Sandbox.Timedout";
            throw err;
          }
          return handler(payload, { invokedFunctionArn: FUNCTION_ARN, awsRequestId: "r" });
        },
        async getObject(_bucket, key) {
          return Buffer.from(org.objects.get(key) ?? Buffer.from("")).toString("utf8");
        },
      });
    }

    function metrics(): MetricDatum[] {
      return org.mocked.cloudwatch
        .commandCalls(PutMetricDataCommand)
        .flatMap((c) => c.args[0].input.MetricData ?? [])
        .map(({ Timestamp: _t, ...rest }) => rest);
    }

    it("runs plan, the shards, then finish, and publishes what one invocation publishes", async () => {
      const run = runner("step-functions");

      const failure = await run.run(definition()).catch((e: unknown) => e);

      expect(run.record.states).to.deep.equal([
        "Plan",
        "OneInvocationOrShards",
        "CollectShards",
        "CollectShards[0]/CollectShard",
        "Finish",
      ]);
      expect(failure).to.be.instanceOf(StatesError);
      expect((failure as StatesError).error).to.equal("ScanError");
      const sharded = metrics();
      org.mocked.cloudwatch.resetHistory();
      const single = runner("auto");
      await single.run(definition()).catch(() => undefined);
      expect(single.record.states).to.deep.equal(["Plan", "OneInvocationOrShards", "ScanInOneInvocation"]);
      expect(sharded).to.deep.equal(metrics());
      expect(sharded.map((d) => d.MetricName))
        .to.include("CriticalCount")
        .and.not.to.include("ScanSuccess");
    });

    it("retries a failing shard, records it as failed and still finishes", async () => {
      const run = runner("step-functions", 0);

      const failure = (await run.run(definition()).catch((e: unknown) => e)) as StatesError;

      expect(run.record.retries).to.deep.equal({ "CollectShards[0]/CollectShard": 2 });
      expect(run.record.states.slice(-2)).to.deep.equal(["CollectShards[0]/RecordShardFailure", "Finish"]);
      expect(failure.cause).to.match(
        /shard 0 failed after its retries \(Sandbox.Timedout: Task timed out after 300.00 seconds\)/,
      );
    });
  });
});
