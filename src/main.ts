#!/usr/bin/env bun
// argv → `serve` or a CLI command. The same file is the compiled binary's entry.
import { runCli } from "./cli/index.ts";

const code = await runCli(process.argv.slice(2));
// `serve` has stopped its server by now, but a stray handle must not keep a stopped service alive.
if (process.argv[2] === "serve") process.exit(code);
process.exitCode = code;
