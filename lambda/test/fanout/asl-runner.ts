/**
 * Runs a state machine definition the way Step Functions would, for the subset of the Amazon
 * States Language the module's definition uses: Task (lambda:invoke with Parameters, Payload.$,
 * ResultSelector, ResultPath, OutputPath, Retry, Catch), Choice (StringEquals), Map (inline or
 * distributed, ItemReader from S3 as JSON, ItemSelector, ToleratedFailurePercentage), Pass, Succeed
 * and Fail; paths `$`, `$.a.b`, `$$.Execution.Name`, `$$.Map.Item.Value`.
 *
 * moto stores state machines but never runs a Lambda task, so the tests run the definition with
 * this instead: the order of the steps comes from the definition, not from the test. Retries do not
 * wait; they are counted. Anything outside the subset throws, naming it, so a definition that grows
 * past what this runner understands cannot pass a test by accident.
 */

type Json = unknown;
type Obj = Record<string, Json>;

export interface RunnerEnvironment {
  /** Calls the function with a payload; a rejection's `name` is the error Step Functions sees. */
  invoke(functionName: string, payload: Json): Promise<Json>;
  /** Reads an S3 object (ItemReader). */
  getObject(bucket: string, key: string): Promise<string>;
  executionName: string;
}

export interface RunRecord {
  /** Every state entered, with the path of Map iterations ("CollectShards[2]/CollectShard"). */
  states: string[];
  /** Payloads of every lambda:invoke, in order. */
  invocations: Json[];
  /** Retries made, by state. */
  retries: Record<string, number>;
}

export class StatesError extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

function isObj(value: Json): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readPath(path: string, input: Json, context: Obj): Json {
  const [root, rest] = path.startsWith("$$") ? [context, path.slice(2)] : [input, path.slice(1)];
  if (rest === "") return root;
  if (!/^(\.[A-Za-z0-9_]+)+$/.test(rest)) throw new Error(`the runner does not read the path ${path}`);
  let value: Json = root;
  for (const key of rest.slice(1).split(".")) {
    if (!isObj(value) || !(key in value))
      throw new StatesError("States.Runtime", `the path ${path} does not exist in the input`);
    value = value[key];
  }
  return value;
}

/** Parameters, ItemSelector, ResultSelector: keys ending in .$ are paths, the rest literal. */
function template(value: Json, input: Json, context: Obj): Json {
  if (Array.isArray(value)) return value.map((v) => template(v, input, context));
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [key, v] of Object.entries(value)) {
    if (key.endsWith(".$")) {
      if (typeof v !== "string") throw new Error(`${key} must be a path`);
      out[key.slice(0, -2)] = readPath(v, input, context);
    } else {
      out[key] = template(v, input, context);
    }
  }
  return out;
}

function withResult(input: Json, resultPath: Json, result: Json): Json {
  if (resultPath === undefined || resultPath === "$") return result;
  if (resultPath === null) return input;
  if (typeof resultPath !== "string" || !/^\$(\.[A-Za-z0-9_]+)+$/.test(resultPath)) {
    throw new Error(`the runner does not write the ResultPath ${String(resultPath)}`);
  }
  const copy = structuredClone(isObj(input) ? input : {}) as Obj;
  const keys = resultPath.slice(2).split(".");
  let target = copy;
  for (const key of keys.slice(0, -1)) {
    if (!isObj(target[key])) target[key] = {};
    target = target[key] as Obj;
  }
  target[keys[keys.length - 1] as string] = result;
  return copy;
}

function matches(errorEquals: Json, error: string): boolean {
  const names = Array.isArray(errorEquals) ? (errorEquals as string[]) : [];
  return names.includes(error) || (names.includes("States.ALL") && !error.startsWith("States.Runtime"));
}

const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;
const S3_GET_OBJECT = /^arn:aws[a-z-]*:states:::s3:getObject$/;

export class AslRunner {
  readonly record: RunRecord = { states: [], invocations: [], retries: {} };

  constructor(private readonly env: RunnerEnvironment) {}

  async run(definition: Obj, input: Json = {}): Promise<Json> {
    return this.machine(definition, input, { Execution: { Name: this.env.executionName } }, "");
  }

  private async machine(machine: Json, input: Json, context: Obj, prefix: string): Promise<Json> {
    if (!isObj(machine) || !isObj(machine.States) || typeof machine.StartAt !== "string") {
      throw new Error(`${prefix || "the definition"} has no StartAt and States`);
    }
    const states = machine.States;
    let name: string | undefined = machine.StartAt;
    let data = input;
    while (name !== undefined) {
      const state = states[name];
      if (!isObj(state)) throw new Error(`${prefix}${name} is not a state`);
      this.record.states.push(`${prefix}${name}`);
      const step = await this.state(`${prefix}${name}`, state, data, context);
      data = step.output;
      name = step.next;
    }
    return data;
  }

  private async state(name: string, state: Obj, input: Json, context: Obj): Promise<{ output: Json; next?: string }> {
    const next = state.End === true ? undefined : (state.Next as string | undefined);
    switch (state.Type) {
      case "Pass":
        return {
          output: withResult(input, state.ResultPath, "Result" in state ? state.Result : input),
          ...(next ? { next } : {}),
        };
      case "Succeed":
        return { output: input };
      case "Fail":
        throw new StatesError(String(state.Error ?? "States.Fail"), String(state.Cause ?? ""));
      case "Choice":
        return { output: input, next: this.choose(name, state, input, context) };
      case "Task":
      case "Map": {
        const attempt = () =>
          state.Type === "Task" ? this.task(name, state, input, context) : this.map(name, state, input, context);
        try {
          const result = await this.withRetries(name, state, attempt);
          return { output: this.shape(state, input, result, context), ...(next ? { next } : {}) };
        } catch (err) {
          const failure = err instanceof StatesError ? err : new StatesError("States.TaskFailed", String(err));
          const catcher = (Array.isArray(state.Catch) ? (state.Catch as Obj[]) : []).find((c) =>
            matches(c.ErrorEquals, failure.error),
          );
          if (catcher === undefined) throw failure;
          const output = withResult(input, catcher.ResultPath, { Error: failure.error, Cause: failure.cause });
          return { output, next: catcher.Next as string };
        }
      }
      default:
        throw new Error(`the runner does not run states of type ${String(state.Type)} (${name})`);
    }
  }

  private choose(name: string, state: Obj, input: Json, context: Obj): string {
    for (const choice of (state.Choices as Obj[]) ?? []) {
      const keys = Object.keys(choice).filter((k) => k !== "Next");
      if (keys.length !== 2 || !keys.includes("Variable") || !keys.includes("StringEquals")) {
        throw new Error(`the runner only understands Variable + StringEquals choices (${name})`);
      }
      if (readPath(choice.Variable as string, input, context) === choice.StringEquals) return choice.Next as string;
    }
    if (typeof state.Default !== "string") throw new StatesError("States.NoChoiceMatched", name);
    return state.Default;
  }

  private shape(state: Obj, input: Json, result: Json, context: Obj): Json {
    const selected = state.ResultSelector === undefined ? result : template(state.ResultSelector, result, context);
    const merged = withResult(input, state.ResultPath, selected);
    return state.OutputPath === undefined ? merged : readPath(state.OutputPath as string, merged, context);
  }

  private async withRetries(name: string, state: Obj, attempt: () => Promise<Json>): Promise<Json> {
    const retriers = Array.isArray(state.Retry) ? (state.Retry as Obj[]) : [];
    const used = retriers.map(() => 0);
    for (;;) {
      try {
        return await attempt();
      } catch (err) {
        const failure = err instanceof StatesError ? err : new StatesError("States.TaskFailed", String(err));
        const index = retriers.findIndex((r) => matches(r.ErrorEquals, failure.error));
        const retrier = retriers[index];
        if (retrier === undefined || (used[index] as number) >= Number(retrier.MaxAttempts ?? 3)) throw failure;
        used[index] = (used[index] as number) + 1;
        this.record.retries[name] = (this.record.retries[name] ?? 0) + 1;
      }
    }
  }

  private async task(name: string, state: Obj, input: Json, context: Obj): Promise<Json> {
    if (typeof state.Resource !== "string" || !LAMBDA_INVOKE.test(state.Resource)) {
      throw new Error(`the runner only runs lambda:invoke tasks (${name}: ${String(state.Resource)})`);
    }
    const parameters = template(state.Parameters ?? {}, input, context) as Obj;
    const payload = "Payload" in parameters ? parameters.Payload : input;
    this.record.invocations.push(payload);
    try {
      return { Payload: await this.env.invoke(String(parameters.FunctionName), payload), StatusCode: 200 };
    } catch (err) {
      // Step Functions names a function error after its errorType, and the Cause is Lambda's error JSON.
      const error = err instanceof Error ? err : new Error(String(err));
      throw new StatesError(error.name, JSON.stringify({ errorType: error.name, errorMessage: error.message }));
    }
  }

  private async map(name: string, state: Obj, input: Json, context: Obj): Promise<Json> {
    let items: Json[];
    if (isObj(state.ItemReader)) {
      const reader = state.ItemReader;
      if (
        typeof reader.Resource !== "string" ||
        !S3_GET_OBJECT.test(reader.Resource) ||
        (reader.ReaderConfig as Obj)?.InputType !== "JSON"
      ) {
        throw new Error(`the runner only reads JSON items from S3 (${name})`);
      }
      const where = template(reader.Parameters, input, context) as Obj;
      const parsed: Json = JSON.parse(await this.env.getObject(String(where.Bucket), String(where.Key)));
      if (!Array.isArray(parsed)) throw new StatesError("States.ItemReaderFailed", "the object is not a JSON array");
      items = parsed;
    } else {
      const listed = readPath((state.ItemsPath as string) ?? "$", input, context);
      if (!Array.isArray(listed)) throw new StatesError("States.Runtime", `${name}: the items are not a list`);
      items = listed;
    }
    const processor = state.ItemProcessor ?? state.Iterator;
    const results: Json[] = [];
    let failed = 0;
    for (const [index, value] of items.entries()) {
      const itemContext = { ...context, Map: { Item: { Index: index, Value: value } } };
      const itemInput = state.ItemSelector === undefined ? value : template(state.ItemSelector, input, itemContext);
      try {
        results.push(await this.machine(processor, itemInput, itemContext, `${name}[${index}]/`));
      } catch (err) {
        failed += 1;
        results.push({ Error: err instanceof StatesError ? err.error : "States.TaskFailed" });
      }
    }
    const tolerated = Number(state.ToleratedFailurePercentage ?? 0);
    if (items.length > 0 && (failed / items.length) * 100 > tolerated) {
      throw new StatesError("States.ExceedToleratedFailureThreshold", `${failed} of ${items.length} items failed`);
    }
    return results;
  }
}

/** The definition's template rendered with Terraform's variables (templatefile replaces ${name}). */
export function renderTemplate(text: string, variables: Readonly<Record<string, string | number>>): Obj {
  const rendered = text.replace(/\$\{(\w+)\}/g, (_, key: string) => {
    const value = variables[key];
    if (value === undefined) throw new Error(`the template needs the variable ${key}`);
    return String(value);
  });
  return JSON.parse(rendered) as Obj;
}
