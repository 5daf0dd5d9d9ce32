#!/usr/bin/env bun
// argv → `serve` or a CLI command. The same file is the compiled binary's entry.
import { runCli } from "./cli/index.ts";

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
