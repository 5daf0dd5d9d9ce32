import { api, ApiError, type User } from "./api";

export const session = $state<{ user: User | null; checked: boolean }>({ user: null, checked: false });

/** Restores the session from the cookie after a reload (`GET auth/me`). */
export async function restoreSession() {
  try {
    session.user = await api.auth.me();
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) console.warn("auth/me failed", e);
    session.user = null;
  } finally {
    session.checked = true;
  }
}

export const canManageUsers = (u: User | null) => u?.instance_role === "owner" || u?.instance_role === "admin";
