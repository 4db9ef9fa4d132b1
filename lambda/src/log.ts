/** One JSON object per line, the shape CloudWatch Logs Insights queries best. */
import type { LogLevel } from "./config";
import { IpamMonitorError } from "./errors";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/** Nesting kept in a log line; deeper values (a long chain of causes) are summarized. */
const MAX_DEPTH = 12;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A value JSON.stringify can write: BigInt as a decimal string, an Error as its name, message, own
 * fields (variable, action, code, problems, $metadata, …) and cause, a cycle as "[Circular]".
 * Our own errors say everything in their message; any other error also keeps its stack, because
 * it is a bug or an SDK failure someone will need to trace.
 */
function toPlain(value: unknown, ancestors: object[]): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object" || value === null) return value;
  if (ancestors.includes(value)) return "[Circular]";
  if (ancestors.length >= MAX_DEPTH) return Array.isArray(value) ? "[Array]" : "[Object]";
  const inner = [...ancestors, value];
  if (Array.isArray(value)) return value.map((item) => toPlain(item, inner));
  if (value instanceof Map) return toPlain(Object.fromEntries(value), ancestors);
  if (value instanceof Set) return toPlain([...value], ancestors);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();

  const source: Record<string, unknown> = {};
  if (value instanceof Error) {
    source.name = value.name;
    source.message = value.message;
  }
  for (const [key, field] of Object.entries(value)) source[key] = field;
  if (value instanceof Error) {
    if (value.cause !== undefined) source.cause = value.cause;
    if (!(value instanceof IpamMonitorError) && value.stack !== undefined) source.stack = value.stack;
  }
  const plain: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(source)) {
    if (typeof field === "function" || field === undefined) continue;
    plain[key] = toPlain(field, inner);
  }
  return plain;
}

/** JSON.stringify that never throws on BigInt, Errors or cycles (see toPlain). */
export function toLogJson(value: unknown): string {
  return JSON.stringify(toPlain(value, [])) ?? "null";
}

export function createJsonLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => void process.stdout.write(`${line}\n`),
): Logger {
  const emit = (at: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[at] < ORDER[level]) return;
    const line: Record<string, unknown> = { level: at, time: new Date().toISOString(), message };
    // A field named like one of these three must not hide them.
    for (const [key, field] of Object.entries(fields ?? {})) if (!(key in line)) line[key] = field;
    write(toLogJson(line));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
