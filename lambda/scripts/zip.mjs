// @ts-check
/**
 * A deterministic zip writer: the same entries give the same bytes, so the
 * Lambda package hash changes only when the code or the rules do.
 *
 * The archive is written by yazl; determinism comes from fixing everything a
 * zip tool usually takes from the file system or the clock: every entry is
 * dated 1980-01-01 00:00 (the earliest date a zip can hold), has mode 0644,
 * carries no extra fields (those hold extended timestamps and uid/gid), and
 * entries are written in byte order of their names. Data is deflated at a
 * fixed level with Node's zlib.
 */

import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ZipFile } from "yazl";

/** @typedef {{ name: string; data: Uint8Array | string }} ZipEntry */

/** Regular file, rw-r--r--: Lambda needs the files world-readable, nothing executable. */
export const FILE_MODE = 0o100644;
export const DEFLATE_LEVEL = 9;

/**
 * 1980-01-01 00:00 in local time: zip dates have no time zone, and yazl reads
 * the date's local fields, so this is the same DOS date on every machine.
 */
function dosEpoch() {
  return new Date(1980, 0, 1, 0, 0, 0);
}

/**
 * @param {ZipEntry[]} entries
 * @returns {{ name: string; data: Buffer }[]} entries with their content as bytes, sorted by name
 */
function normalize(entries) {
  const seen = new Set();
  const result = entries.map(({ name, data }) => {
    if (name === "" || name.startsWith("/") || name.split("/").includes("..") || name.includes("\\")) {
      throw new Error(`zip entry name "${name}" must be a relative path with "/" separators and no ".."`);
    }
    if (seen.has(name)) throw new Error(`zip entry "${name}" is given twice`);
    seen.add(name);
    return { name, data: typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data) };
  });
  // Byte order, not locale order: the result must not depend on the machine's language settings.
  return result.sort((a, b) => Buffer.compare(Buffer.from(a.name, "utf8"), Buffer.from(b.name, "utf8")));
}

/**
 * The bytes of a zip archive holding the entries.
 * @param {ZipEntry[]} entries
 * @returns {Promise<Buffer>}
 */
export async function zipBytes(entries) {
  const files = normalize(entries);
  const zip = new ZipFile();
  const mtime = dosEpoch();
  for (const { name, data } of files) {
    zip.addBuffer(data, name, { mtime, mode: FILE_MODE, compressionLevel: DEFLATE_LEVEL, forceDosTimestamp: true });
  }
  zip.end();
  /** @type {Buffer[]} */
  const chunks = [];
  for await (const chunk of zip.outputStream) chunks.push(/** @type {Buffer} */ (chunk));
  return Buffer.concat(chunks);
}

/**
 * Writes a zip of the entries to outPath, creating its directory. The file
 * appears whole or not at all: it is written beside the target and renamed,
 * so parallel builds and readers never see half a zip.
 * @param {ZipEntry[]} entries
 * @param {string} outPath
 * @returns {Promise<Buffer>} the bytes written
 */
export async function makeZip(entries, outPath) {
  const bytes = await zipBytes(entries);
  mkdirSync(dirname(outPath), { recursive: true });
  const partial = `${outPath}.${process.pid}.${randomBytes(4).toString("hex")}.partial`;
  try {
    writeFileSync(partial, bytes);
    renameSync(partial, outPath);
  } finally {
    rmSync(partial, { force: true });
  }
  return bytes;
}
