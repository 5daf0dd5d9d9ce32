// The CLI's window on the terminal. Commands never touch process.stdout or
// process.stdin directly, so tests can run them in-process and capture output.

export interface CliIo {
  out(text: string | Uint8Array): void;
  err(text: string): void;
  /** All of stdin (for `--data @-` and password input without a tty). */
  readStdin(): Promise<Uint8Array>;
  stdinIsTty: boolean;
  stdoutIsTty: boolean;
  /** Ask a question on the terminal; `hidden` turns echo off (passwords). Only called when stdinIsTty. */
  prompt(question: string, hidden: boolean): Promise<string>;
}

export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    readStdin: async () => new Uint8Array(await Bun.stdin.arrayBuffer()),
    stdinIsTty: Boolean(process.stdin.isTTY),
    stdoutIsTty: Boolean(process.stdout.isTTY),
    prompt: promptTty,
  };
}

/**
 * Reads one line from the tty. With `hidden`, the terminal is put in raw mode
 * so the password is never echoed (nor kept in the scrollback).
 */
function promptTty(question: string, hidden: boolean): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let answer = "";
    const wasRaw = stdin.isRaw;
    if (hidden) stdin.setRawMode(true);
    stdin.setEncoding("utf8");
    stdin.resume();
    const finish = (error?: Error) => {
      stdin.off("data", onData);
      if (hidden) stdin.setRawMode(wasRaw);
      stdin.pause();
      if (hidden) process.stderr.write("\n");
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003") return finish(new Error("interrupted"));
        if (ch === "\u0004" && answer === "") return finish(new Error("no input"));
        if (ch === "\u007f" || ch === "\b") answer = answer.slice(0, -1);
        else if (ch >= " ") answer += ch;
      }
    };
    stdin.on("data", onData);
  });
}
