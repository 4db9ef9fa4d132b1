/** Executable entry of the `ipam-monitor` CLI; everything else lives in ../cli.ts. */
import { main } from "../cli";

// `ipam-monitor scan | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    // exitCode rather than exit(): a large report still being written to a pipe is not cut off.
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`ipam-monitor: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 3;
  },
);
