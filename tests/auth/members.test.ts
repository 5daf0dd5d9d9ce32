// App memberships over HTTP.
import { beforeAll, describe, expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";

const PW = "correct-horse-battery";

eachDriver((driver) => {
  describe(`${driver}: app members`, () => {
    const pic = startPicloud({ driver });
    const adm = (method: string, path: string, body?: unknown, token?: string) =>
      pic.api(method, `/api/v1/admin${path}`, body, { token: token ?? null });
    let owner: string;
    let app: { id: string; slug: string };
    const user = async (username: string, instance_role = "member") =>
      (await adm("POST", "/admins", { username, password: PW, instance_role, email: `${username}@example.com` }, owner)).body as { id: string };
    const login = async (username: string) => (await adm("POST", "/auth/login", { username, password: PW })).body.token as string;

    beforeAll(async () => {
      owner = await pic.login();
      app = (await adm("POST", "/apps", { slug: "team", name: "Team" }, owner)).body;
    });

    test("add (201, joined with user details), duplicate 409, promote with PATCH, list in one shape", async () => {
      const ann = await user("ann");
      const r = await adm("POST", `/apps/${app.id}/members`, { user_id: ann.id, role: "viewer" }, owner);
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ app_id: app.id, user_id: ann.id, role: "viewer", username: "ann", email: "ann@example.com", instance_role: "member", is_active: true });
      const dup = await adm("POST", `/apps/${app.id}/members`, { user_id: ann.id, role: "editor" }, owner);
      expect([dup.status, dup.body.error.code]).toEqual([409, "conflict"]);
      const up = await adm("PATCH", `/apps/${app.id}/members/${ann.id}`, { role: "editor" }, owner);
      expect([up.status, up.body.role]).toEqual([200, "editor"]);
      // By slug as well as by id.
      const list = await adm("GET", `/apps/${app.slug}/members`, undefined, owner);
      expect(list.status).toBe(200);
      expect(list.body).toEqual([expect.objectContaining({ user_id: ann.id, role: "editor", username: "ann" })]);
    });

    test("422 for unknown, inactive, or owner/admin targets and bad roles; 404 PATCH without membership; 204 idempotent DELETE", async () => {
      const bob = await user("bob");
      const off = await user("off");
      await adm("PATCH", `/admins/${off.id}`, { is_active: false }, owner);
      const boss = await user("boss", "admin");
      const cases: Array<[unknown, string]> = [
        [{ user_id: "00000000-0000-4000-8000-000000000000", role: "viewer" }, "user_id"],
        [{ user_id: "nope", role: "viewer" }, "user_id"],
        [{ user_id: off.id, role: "viewer" }, "user_id"],
        [{ user_id: boss.id, role: "viewer" }, "user_id"],
        [{ user_id: bob.id, role: "superuser" }, "role"],
      ];
      for (const [body, field] of cases) {
        const r = await adm("POST", `/apps/${app.id}/members`, body, owner);
        expect([JSON.stringify(body), r.status, r.body.error?.field]).toEqual([JSON.stringify(body), 422, field]);
      }
      expect((await adm("PATCH", `/apps/${app.id}/members/${bob.id}`, { role: "editor" }, owner)).status).toBe(404);
      expect((await adm("DELETE", `/apps/${app.id}/members/${bob.id}`, undefined, owner)).status).toBe(204);
      expect((await adm("POST", `/apps/${app.id}/members`, { user_id: bob.id, role: "viewer" }, owner)).status).toBe(201);
      expect((await adm("DELETE", `/apps/${app.id}/members/${bob.id}`, undefined, owner)).status).toBe(204);
      expect((await adm("DELETE", `/apps/${app.id}/members/${bob.id}`, undefined, owner)).status).toBe(204);
      expect((await adm("GET", "/apps/no-such-app/members", undefined, owner)).status).toBe(404);
    });

    test("a membership makes the app appear for a member; removing it hides it again", async () => {
      const cy = await user("cy");
      const t = await login("cy");
      const slugs = async () => (await adm("GET", "/apps", undefined, t)).body.map((a: any) => a.slug);
      expect(await slugs()).toEqual([]);
      expect((await adm("GET", `/apps/${app.id}`, undefined, t)).status).toBe(404);
      await adm("POST", `/apps/${app.id}/members`, { user_id: cy.id, role: "viewer" }, owner);
      expect(await slugs()).toEqual(["team"]);
      expect((await adm("GET", `/apps/${app.id}`, undefined, t)).body.my_role).toBe("viewer");
      await adm("DELETE", `/apps/${app.id}/members/${cy.id}`, undefined, owner);
      expect(await slugs()).toEqual([]);
    });

    test("a member app_admin manages members (and may remove itself); viewers and editors cannot", async () => {
      const lead = await user("lead");
      const dev = await user("dev");
      await adm("POST", `/apps/${app.id}/members`, { user_id: lead.id, role: "app_admin" }, owner);
      await adm("POST", `/apps/${app.id}/members`, { user_id: dev.id, role: "editor" }, owner);
      const leadT = await login("lead");
      const devT = await login("dev");
      const newbie = await user("newbie");
      expect((await adm("POST", `/apps/${app.id}/members`, { user_id: newbie.id, role: "viewer" }, devT)).status).toBe(403);
      expect((await adm("PATCH", `/apps/${app.id}/members/${dev.id}`, { role: "app_admin" }, devT)).status).toBe(403);
      expect((await adm("POST", `/apps/${app.id}/members`, { user_id: newbie.id, role: "viewer" }, leadT)).status).toBe(201);
      expect((await adm("PATCH", `/apps/${app.id}/members/${dev.id}`, { role: "viewer" }, leadT)).status).toBe(200);
      expect((await adm("DELETE", `/apps/${app.id}/members/${lead.id}`, undefined, leadT)).status).toBe(204);
      expect((await adm("GET", `/apps/${app.id}/members`, undefined, leadT)).status).toBe(404);
    });
  });
});
