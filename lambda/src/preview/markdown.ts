/**
 * The preview as a pull-request comment: a one-line verdict, the scopes whose alarms change, the
 * resources whose status changes (the first 50, worst first; the JSON has all of them) and coverage.
 * The first line is a marker a workflow uses to find and update its own comment.
 */
import type { Status } from "../types";
import { isWorse, type PreviewChangeJson, type PreviewJson, type PreviewScopeJson } from "./compare";

export const PREVIEW_MARKER = "<!-- ipam-monitor-preview -->";
/** Changes listed in the comment; GitHub comments are limited to 65,536 characters. */
export const MARKDOWN_CHANGES_LIMIT = 50;
const LIST_LIMIT = 50;

/** Text inside a table cell: no pipe, no line break, no HTML. */
function cell(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/\|/g, "\\|")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? word : many}`;
}

function status(value: Status | null): string {
  return value === null ? "—" : value.toUpperCase();
}

function countsChange(scope: PreviewScopeJson, key: Status): string {
  const before = scope.oldCounts?.[key];
  const after = scope.newCounts?.[key];
  if (before === undefined) return String(after ?? "—");
  if (after === undefined) return `${before} → —`;
  return before === after ? String(after) : `${before} → ${after}`;
}

function resources(scope: PreviewScopeJson): string {
  const { oldResourceCount: before, newResourceCount: after } = scope;
  if (before === null) return String(after);
  if (after === null) return `${before} → —`;
  return before === after ? String(after) : `${before} → ${after}`;
}

function alarms(scope: PreviewScopeJson, noMatch: ReadonlySet<string>): string {
  const notes: string[] = [];
  if (scope.change === "added") notes.push("new scope: alarms created");
  if (scope.change === "removed") notes.push("scope removed: alarms destroyed");
  if (scope.change === "renamed") notes.push(`renamed from ${code(scope.renamedFrom ?? "")}: alarms replaced`);
  if (noMatch.has(scope.name) && scope.change !== "removed") notes.push("**matches nothing**");
  return notes.join("; ");
}

function scopeTable(preview: PreviewJson): string[] {
  const noMatch = new Set(preview.noMatch);
  const shown = preview.scopes.filter((s) => s.change !== "unchanged" || noMatch.has(s.name));
  if (shown.length === 0) return ["No scope changes status, counts or alarms."];
  const unchanged = preview.scopes.length - shown.length;
  const lines = [
    "| Scope | Before | After | Critical | Warning | Unknown | Resources | Alarms |",
    "|---|---|---|--:|--:|--:|--:|---|",
    ...shown.map(
      (s) =>
        `| ${cell(s.name)} | ${status(s.oldStatus)} | ${status(s.newStatus)} | ${countsChange(s, "critical")} | ` +
        `${countsChange(s, "warning")} | ${countsChange(s, "unknown")} | ${resources(s)} | ${alarms(s, noMatch)} |`,
    ),
  ];
  if (unchanged > 0) lines.push("", `${plural(unchanged, "other scope")} unchanged.`);
  return lines;
}

function changeRow(c: PreviewChangeJson): string {
  const what = c.name !== undefined ? `${code(c.resourceId)} ${cell(c.name)}` : code(c.resourceId);
  const where = [c.ownerId, c.region, c.cidr].filter((p): p is string => p !== undefined).join(", ");
  const arrow = isWorse(c) ? "🔺" : "🔻";
  const to = c.to === null ? "not in scope" : status(c.to);
  const from = c.from === null ? "not in scope" : status(c.from);
  // A resource leaving a scope keeps the reason it had there: what that scope will no longer alarm on.
  const why = c.reason === undefined ? "" : c.to === null ? `was: ${c.reason}` : c.reason;
  return `| ${what} | ${cell(where)} | ${cell(c.scope)} | ${from} | ${arrow} ${to} | ${cell(why)} |`;
}

function changeLines(preview: PreviewJson): string[] {
  const total = preview.changes.length;
  if (total === 0) return ["#### Resources", "", "No resource changes status in any scope."];
  const shown = preview.changes.slice(0, MARKDOWN_CHANGES_LIMIT);
  const lines = [
    `#### Resources whose status changes (${plural(total, "change")}, worst first)`,
    "",
    "| Resource | Where | Scope | Before | After | Why |",
    "|---|---|---|---|---|---|",
    ...shown.map(changeRow),
  ];
  if (total > shown.length) {
    lines.push(
      "",
      `… and ${plural(total - shown.length, "more change")}: \`ipam-monitor preview --format json\` lists all.`,
    );
  }
  return lines;
}

function idList(ids: readonly string[]): string {
  const shown = ids.slice(0, LIST_LIMIT).map(code).join(", ");
  return ids.length > LIST_LIMIT ? `${shown} and ${ids.length - LIST_LIMIT} more` : shown;
}

function coverageLines(preview: PreviewJson): string[] {
  const { newlyUncovered, newlyCovered } = preview.coverage;
  const lines: string[] = [];
  if (newlyUncovered.length > 0) {
    lines.push(`- ⚠️ **Left covered by no scope** (${newlyUncovered.length}): ${idList(newlyUncovered)}`);
  }
  if (newlyCovered.length > 0) lines.push(`- Newly covered (${newlyCovered.length}): ${idList(newlyCovered)}`);
  if (preview.noMatch.length > 0) {
    lines.push(
      `- ⚠️ **Scopes that match nothing** (${preview.noMatch.length}): ${idList(preview.noMatch)}. ` +
        "Usually a typo in a tag or name: the resources meant for them are watched by a looser scope, or by none.",
    );
  }
  return lines.length > 0 ? ["#### Coverage", "", ...lines] : [];
}

function verdict(preview: PreviewJson): string {
  const { summary } = preview;
  const parts = [
    summary.newCritical > 0 ? `**${plural(summary.newCritical, "new critical", "new critical")}**` : undefined,
    summary.newWarning > 0 ? `**${plural(summary.newWarning, "new warning")}**` : undefined,
    summary.improved > 0 ? `${plural(summary.improved, "resource")} better or out of a scope` : undefined,
    preview.scopesAdded.length > 0 ? `${plural(preview.scopesAdded.length, "scope")} added` : undefined,
    preview.scopesRemoved.length > 0 ? `${plural(preview.scopesRemoved.length, "scope")} removed` : undefined,
    preview.scopesRenamed.length > 0 ? `${plural(preview.scopesRenamed.length, "scope")} renamed` : undefined,
    summary.newlyUncovered > 0 ? `${plural(summary.newlyUncovered, "resource")} left uncovered` : undefined,
    preview.noMatch.length > 0 ? `${plural(preview.noMatch.length, "scope")} matching nothing` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? `${parts.join(", ")}.` : "No change to any alarm, status or coverage.";
}

function inventoryLine(preview: PreviewJson): string {
  const inv = preview.inventory;
  const where =
    inv.source === "history" ? `the latest snapshot in ${code(inv.location ?? "")}` : `a live ${inv.source} read`;
  const partial = inv.complete ? "" : " **The read was incomplete: resources that were not read are not compared.**";
  const when = `${inv.scannedAt.slice(0, 10)} ${inv.scannedAt.slice(11, 16)} UTC`;
  return `Both rules files evaluated against ${where} of ${when} (${plural(inv.resources, "resource CIDR")}).${partial}`;
}

/** The comment; `failures` are the --fail-on conditions met, shown at the top when there are any. */
export function formatPreviewMarkdown(preview: PreviewJson, failures: readonly string[] = []): string {
  const lines = [
    PREVIEW_MARKER,
    `### IPAM monitor: what ${code(preview.head.file)} changes`,
    "",
    verdict(preview),
    "",
    inventoryLine(preview),
  ];
  if (failures.length > 0) lines.push("", ...failures.map((f) => `- ❌ ${f}`));
  lines.push("", "#### Scopes and alarms", "", ...scopeTable(preview), "", ...changeLines(preview));
  const coverage = coverageLines(preview);
  if (coverage.length > 0) lines.push("", ...coverage);
  return `${lines.join("\n")}\n`;
}
