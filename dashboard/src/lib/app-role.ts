import type { AppRole, InstanceRole } from "./api";

/**
 * The caller's role on an app: `my_role` when the server sent one; otherwise
 * owners and admins are implicit app admins (DESIGN §7) and members have none.
 */
export function appRoleOf(myRole: AppRole | null | undefined, instanceRole: InstanceRole | undefined): AppRole | null {
  return myRole ?? (instanceRole === "member" ? null : "app_admin");
}

/** Editors and app admins may change the app's scripts, routes and settings. */
export const canWriteApp = (role: AppRole | null): boolean => role === "app_admin" || role === "editor";
