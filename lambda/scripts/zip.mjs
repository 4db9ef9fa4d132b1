// @ts-check
/**
 * A deterministic zip writer: the same entries give the same bytes, so the
 * Lambda package hash changes only when the code or the rules do.
 *
 * Determinism comes from fixing everything a zip tool usually takes from the
 * file system or the clock: every entry is dated 1980-01-01 00:00 (the earliest
 * date a zip can hold), has mode 0644, carries no extra fields (those hold
 * extended timestamps and uid/gid), and entries are written in name order.
 * Data is deflated at a fixed level with Node's zlib.
 */

import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { deflateRawSync } from "node:zlib";

/** @typedef {{ name: string; data: Uint8Array | string }} ZipEntry */

/** 1980-01-01 in MS-DOS date format: (year - 1980) << 9 | month << 5 | day. */
export const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
/** 00:00:00 in MS-DOS time format. */
export const DOS_TIME_MIDNIGHT = 0;
/** Regular file, rw-r--r--: Lambda needs the files world-readable, nothing executable. */
export const FILE_MODE = 0o100644;
export const DEFLATE_LEVEL = 9;

const VERSION_NEEDED = 20; // 2.0: deflate
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED; // 3 = Unix, so readers honour FILE_MODE
const FLAG_UTF8_NAMES = 1 << 11;
const METHOD_DEFLATE = 8;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50;
/** Past these limits a zip needs Zip64 records, which this writer does not produce. */
const MAX_ENTRIES = 0xffff;
const MAX_SIZE = 0xffffffff;

const CRC_TABLE = makeCrcTable();

/** The CRC-32 lookup table (IEEE 802.3 polynomial, reflected: 0xEDB88320). */
function makeCrcTable() {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32 of the bytes, as zip (and gzip, PNG) define it.
 * @param {Uint8Array} bytes
 * @returns {number} an unsigned 32-bit integer
 */
export function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = /** @type {number} */ (CRC_TABLE[(crc ^ byte) & 0xff]) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * @param {ZipEntry[]} entries
 * @returns {{ name: Buffer; data: Buffer }[]} entries as bytes, sorted by name
 */
function normalize(entries) {
  const seen = new Set();
  const result = entries.map(({ name, data }) => {
    if (name === "" || name.startsWith("/") || name.split("/").includes("..") || name.includes("\\")) {
      throw new Error(`zip entry name "${name}" must be a relative path with "/" separators and no ".."`);
    }
    if (seen.has(name)) throw new Error(`zip entry "${name}" is given twice`);
    seen.add(name);
    return {
      name: Buffer.from(name, "utf8"),
      data: typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data),
    };
  });
  // Byte order, not locale order: the result must not depend on the machine's language settings.
  return result.sort((a, b) => Buffer.compare(a.name, b.name));
}

/**
 * The bytes of a zip archive holding the entries.
 * @param {ZipEntry[]} entries
 * @returns {Buffer}
 */
export function zipBytes(entries) {
  const files = normalize(entries);
  if (files.length > MAX_ENTRIES)
    throw new Error(`a zip without Zip64 holds at most ${MAX_ENTRIES} entries, got ${files.length}`);

  /** @type {Buffer[]} */
  const locals = [];
  /** @type {Buffer[]} */
  const centrals = [];
  let offset = 0;

  for (const { name, data } of files) {
    const compressed = deflateRawSync(data, { level: DEFLATE_LEVEL });
    if (data.length > MAX_SIZE || offset > MAX_SIZE) {
      throw new Error(`zip entry "${name.toString("utf8")}" does not fit in a zip without Zip64`);
    }
    const crc = crc32(data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER_SIGNATURE, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(FLAG_UTF8_NAMES, 6);
    local.writeUInt16LE(METHOD_DEFLATE, 8);
    local.writeUInt16LE(DOS_TIME_MIDNIGHT, 10);
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra field length
    locals.push(local, name, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_HEADER_SIGNATURE, 0);
    central.writeUInt16LE(VERSION_MADE_BY, 4);
    central.writeUInt16LE(VERSION_NEEDED, 6);
    central.writeUInt16LE(FLAG_UTF8_NAMES, 8);
    central.writeUInt16LE(METHOD_DEFLATE, 10);
    central.writeUInt16LE(DOS_TIME_MIDNIGHT, 12);
    central.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra field length
    central.writeUInt16LE(0, 32); // comment length
    central.writeUInt16LE(0, 34); // disk number
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(FILE_MODE * 0x10000, 38); // external attributes: Unix mode in the high 16 bits
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + compressed.length;
  }

  const centralDirectory = Buffer.concat(centrals);
  if (offset > MAX_SIZE) throw new Error("the zip is too large for a zip without Zip64");
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY_SIGNATURE, 0);
  end.writeUInt16LE(0, 4); // this disk
  end.writeUInt16LE(0, 6); // disk with the central directory
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20); // comment length

  return Buffer.concat([...locals, centralDirectory, end]);
}

/**
 * Writes a zip of the entries to outPath, creating its directory. The file
 * appears whole or not at all: it is written beside the target and renamed,
 * so parallel builds and readers never see half a zip.
 * @param {ZipEntry[]} entries
 * @param {string} outPath
 * @returns {Buffer} the bytes written
 */
export function makeZip(entries, outPath) {
  const bytes = zipBytes(entries);
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
