import { ApiError } from "./api";

export interface Toast { id: number; kind: "error" | "success" | "info"; text: string; detail?: string }

export const toasts = $state<{ items: Toast[] }>({ items: [] });
let nextId = 1;

export function toast(kind: Toast["kind"], text: string, detail?: string) {
  const id = nextId++;
  toasts.items.push({ id, kind, text, detail });
  setTimeout(() => dismiss(id), kind === "error" ? 8000 : 4000);
}

export function dismiss(id: number) {
  toasts.items = toasts.items.filter((t) => t.id !== id);
}

/** Shows the server's message (and code) for a failed call. */
export function toastError(e: unknown, context?: string) {
  if (e instanceof ApiError) {
    toast("error", context ? `${context}: ${e.message}` : e.message, e.code !== `http_${e.status}` ? `${e.status} ${e.code}` : `${e.status}`);
  } else {
    toast("error", context ? `${context}: ${(e as Error)?.message ?? String(e)}` : ((e as Error)?.message ?? String(e)));
  }
}
