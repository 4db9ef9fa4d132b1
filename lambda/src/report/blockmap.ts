/**
 * The text `ipam-monitor capacity SUBNET_ID` prints: the subnet's figures, its block map (one mark
 * per aligned /28, 32 to a row, grouped by eight) with a legend, its reservations and the
 * interfaces that block the most blocks.
 */

import type { PrefixBlock } from "../capacity/blocks";
import type { BlockMapReport } from "../capacity/inspect";
import type { Blocker } from "../types";
import { formatColumns } from "./table";

export const BLOCKS_PER_ROW = 32;
const GROUP = 8;

/** One mark per block state; a free block in a prefix reservation gets its own. */
export const MARKS = {
  free: ".",
  prefixReserved: "p",
  used: "#",
  explicit: "x",
  awsReserved: "A",
} as const;

export function markOf(block: PrefixBlock): string {
  switch (block.state) {
    case "aws-reserved":
      return MARKS.awsReserved;
    case "explicit":
      return MARKS.explicit;
    case "used":
      return MARKS.used;
    default:
      return block.prefixReserved ? MARKS.prefixReserved : MARKS.free;
  }
}

const LEGEND = [
  `${MARKS.free} free /28: prefix delegation can take it`,
  `${MARKS.prefixReserved} free, in a prefix reservation (automatic delegation takes these first)`,
  `${MARKS.used} holds an address or prefix of an interface`,
  `${MARKS.explicit} holds an explicitly reserved address (EC2 never assigns it)`,
  `${MARKS.awsReserved} holds an address AWS reserves (the first four and the last of the subnet)`,
];

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function mapRows(blocks: readonly PrefixBlock[]): string[] {
  const rows: { label: string; marks: string }[] = [];
  for (let i = 0; i < blocks.length; i += BLOCKS_PER_ROW) {
    const row = blocks.slice(i, i + BLOCKS_PER_ROW);
    const marks = row.map(markOf);
    const groups: string[] = [];
    for (let g = 0; g < marks.length; g += GROUP) groups.push(marks.slice(g, g + GROUP).join(""));
    rows.push({ label: row[0]!.cidr.split("/")[0]!, marks: groups.join(" ") });
  }
  const width = Math.max(...rows.map((r) => r.label.length));
  return rows.map((r) => `  ${r.label.padEnd(width)}  ${r.marks}`);
}

const BLOCKER_COLUMNS = [
  { header: "INTERFACE", align: "left" as const, cell: (b: Blocker) => b.networkInterfaceId },
  { header: "FREES /28", align: "right" as const, cell: (b: Blocker) => String(b.blocksFreed) },
  { header: "IN /28", align: "right" as const, cell: (b: Blocker) => String(b.blocksBlocked) },
  { header: "TYPE", align: "left" as const, cell: (b: Blocker) => b.interfaceType ?? b.requesterId ?? "-" },
  { header: "INSTANCE", align: "left" as const, cell: (b: Blocker) => b.instanceId ?? "-" },
  { header: "DESCRIPTION", align: "left" as const, cell: (b: Blocker) => b.description ?? "-" },
];

/** The whole text, ending with a newline. */
export function formatBlockMap(report: BlockMapReport): string {
  const name = report.name !== undefined ? ` "${report.name}"` : "";
  const zone = [report.availabilityZone, report.availabilityZoneId].filter((p) => p !== undefined).join(", ");
  const largest =
    report.largestFreeBlock === undefined ? "nothing free" : `largest free block /${report.largestFreeBlock}`;
  const reserved = report.freePrefixesReserved > 0 ? ` (${report.freePrefixesReserved} in prefix reservations)` : "";
  const lines = [
    `${report.subnetId}${name} ${report.cidr} in ${report.region}${zone !== "" ? ` (${zone})` : ""}`,
    `  ${report.inUseAddresses} of ${report.usableAddresses} usable addresses held by ${plural(report.interfaces, "interface")}` +
      (report.availableIpAddressCount !== undefined ? `; EC2 reports ${report.availableIpAddressCount} available` : ""),
    `  ${plural(report.freePrefixes, "free /28")}${reserved} of ${report.blocks.length}, ${report.assignableAddresses} assignable, ${largest}`,
    "",
    `BLOCK MAP (one mark per /28, ${BLOCKS_PER_ROW} a row)`,
    ...mapRows(report.blocks),
    "",
    ...LEGEND.map((l) => `  ${l}`),
  ];
  if (report.reservations.length > 0) {
    lines.push("", `CIDR RESERVATIONS (${report.reservations.length})`);
    for (const r of report.reservations) lines.push(`  ${r.cidr}  ${r.type}${r.id !== undefined ? `  ${r.id}` : ""}`);
  }
  lines.push("");
  if (report.blockers.length === 0) {
    lines.push("INTERFACES BLOCKING /28s: none");
  } else {
    lines.push(
      "INTERFACES BLOCKING /28s (most freed first; draining one frees the blocks only it holds)",
      ...formatColumns(BLOCKER_COLUMNS, report.blockers),
    );
  }
  return `${lines.join("\n")}\n`;
}
