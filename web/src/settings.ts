// Settings: workspaces, the tables' retention and data volume, resources
// and their diagnostic settings, and API keys. Everything goes through the
// administration API (an admin key when the server requires keys).

import { APIError, currentWorkspace, get, kql, send } from "./api";
import { el, resultTable } from "./table";

interface Workspace { id: string; name: string }
interface Resource { id: string; tenantId: string }
interface Setting { name: string; workspace?: string; workspaceId: string; logs: { category?: string; categoryGroup?: string; enabled: boolean }[] }
interface Key { id: string; kind: string; name?: string; workspaceId?: string; resources?: string[]; created: string; revoked?: string }

// The categories of the tables (schema.Tables), as diagnostic settings name them.
export const categories = ["CallSummary", "CallSummaryUpdates", "CallDiagnostics", "CallDiagnosticsUpdates", "CallClientOperations",
  "CallClientMediaStatsTimeSeries", "CallSurvey", "CallingMetrics", "Usage", "CallAutomationOperational", "AppEvents"];

function failed(e: unknown): HTMLElement {
  return el("div", { class: "error", role: "alert" }, e instanceof APIError ? `${e.message}${e.status === 401 || e.status === 403 ? " — enter an admin key in the top bar" : ""}` : String(e));
}

function section(id: string, title: string, ...kids: (Node | string)[]) {
  return el("section", { id, class: "settings" }, el("h2", {}, title), ...kids);
}

export async function settingsPage(main: HTMLElement) {
  main.replaceChildren(el("h1", {}, "Settings"), el("p", { class: "muted" }, "Loading…"));
  let workspaces: Workspace[] = [];
  try {
    workspaces = (await get<{ value: Workspace[] }>("/v1/workspaces")).value;
  } catch (e) {
    main.replaceChildren(el("h1", {}, "Settings"), failed(e));
    return;
  }
  const reload = () => settingsPage(main);
  main.replaceChildren(el("h1", {}, "Settings"),
    await workspacesSection(workspaces, reload),
    await tablesSection(),
    await resourcesSection(workspaces, reload),
    await keysSection(workspaces, reload));
}

async function workspacesSection(ws: Workspace[], reload: () => void) {
  const name = el("input", { placeholder: "new workspace name", "aria-label": "new workspace name", id: "new-workspace" }) as HTMLInputElement;
  const add = el("button", { id: "create-workspace" }, "Create");
  const out = el("div");
  add.addEventListener("click", async () => {
    try {
      await send("POST", "/v1/workspaces", { name: name.value.trim() });
      reload();
    } catch (e) {
      out.replaceChildren(failed(e));
    }
  });
  return section("settings-workspaces", "Workspaces",
    resultTable([{ name: "Name", type: "string" }, { name: "Id", type: "string" }], ws.map((w) => [w.name, w.id])),
    el("div", { class: "row" }, name, add), out);
}

async function tablesSection() {
  const ws = currentWorkspace();
  const box = section("settings-tables", `Tables of ${ws}: retention and volume (last 30 days, from Usage)`);
  try {
    const tables = (await get<{ value: { name: string; retentionInDays: number }[] }>(`/v1/workspaces/${encodeURIComponent(ws)}/tables`)).value;
    const usage = await kql("Usage | summarize Records = sum(Records), MB = round(sum(Quantity), 2) by DataType", "P30D");
    const byTable = new Map(usage.tables[0].rows.map((r) => [String(r[0]), r]));
    const grid = el("table", { class: "grid" }, el("thead", {}, el("tr", {}, ...["Table", "Retention (days)", "", "Records", "MB"].map((h) => el("th", {}, h)))));
    const body = el("tbody");
    for (const t of tables) {
      const days = el("input", { type: "number", min: "1", max: "4383", value: String(t.retentionInDays), "aria-label": `retention of ${t.name}`, size: "5" }) as HTMLInputElement;
      const save = el("button", {}, "Save");
      const note = el("span", { class: "muted" });
      save.addEventListener("click", async () => {
        try {
          await send("PUT", `/v1/workspaces/${encodeURIComponent(ws)}/tables/${t.name}`, { retentionInDays: Number(days.value) });
          note.textContent = "saved";
        } catch (e) {
          note.replaceChildren(failed(e));
        }
      });
      const u = byTable.get(t.name);
      body.append(el("tr", {}, el("td", {}, t.name), el("td", {}, days), el("td", {}, save, " ", note),
        el("td", { class: "num" }, u ? String(u[1]) : "0"), el("td", { class: "num" }, u ? String(u[2]) : "0")));
    }
    grid.append(body);
    box.append(el("div", { class: "scroll" }, grid));
  } catch (e) {
    box.append(failed(e));
  }
  return box;
}

async function resourcesSection(ws: Workspace[], reload: () => void) {
  const box = section("settings-resources", "Resources and diagnostic settings",
    el("p", { class: "muted" }, "A record is stored only when a diagnostic setting of its resource sends its category to a workspace; nothing is retroactive."));
  let resources: Resource[] = [];
  try {
    resources = (await get<{ value: Resource[] }>("/v1/resources")).value;
  } catch (e) {
    box.append(failed(e));
    return box;
  }
  const id = el("input", { placeholder: "/subscriptions/…/communicationServices/name", "aria-label": "resource id", size: "60", id: "new-resource" }) as HTMLInputElement;
  const tenant = el("input", { placeholder: "tenant id", "aria-label": "tenant id", size: "38", id: "new-resource-tenant" }) as HTMLInputElement;
  const register = el("button", { id: "register-resource" }, "Register");
  const out = el("div");
  register.addEventListener("click", async () => {
    try {
      await send("PUT", "/v1/resources" + id.value.trim(), { tenantId: tenant.value.trim() });
      reload();
    } catch (e) {
      out.replaceChildren(failed(e));
    }
  });
  box.append(el("div", { class: "row" }, id, tenant, register), out);
  if (resources.length === 0) box.append(el("p", {}, "No resource is registered yet: register one, then route its logs with a diagnostic setting."));
  for (const [i, r] of resources.entries()) {
    const settings = (await get<{ value: Setting[] }>("/v1/resources" + r.id + "/diagnosticSettings")).value;
    const list = settings.length === 0 ? el("p", { class: "muted" }, "No diagnostic setting: its records are dropped.") :
      el("ul", {}, ...settings.map((s) => {
        const del = el("button", {}, "Delete");
        del.addEventListener("click", async () => {
          await send("DELETE", "/v1/resources" + r.id + "/diagnosticSettings/" + encodeURIComponent(s.name));
          reload();
        });
        const cats = s.logs.filter((l) => l.enabled).map((l) => l.categoryGroup || l.category).join(", ");
        return el("li", {}, `${s.name} → ${s.workspace || s.workspaceId}: ${cats} `, del);
      }));
    box.append(el("h3", {}, r.id), list, settingForm(r, ws, i, reload));
  }
  return box;
}

function settingForm(r: Resource, ws: Workspace[], i: number, reload: () => void) {
  const name = el("input", { placeholder: "setting name", "aria-label": "setting name", id: `setting-name-${i}`, size: "14" }) as HTMLInputElement;
  const target = el("select", { "aria-label": "workspace", id: `setting-workspace-${i}` }) as HTMLSelectElement;
  for (const w of ws) target.append(el("option", { value: w.id }, w.name));
  const all = el("input", { type: "checkbox", id: `setting-all-${i}`, checked: "" }) as HTMLInputElement;
  const cats = categories.map((c) => {
    const box = el("input", { type: "checkbox", value: c, "aria-label": c }) as HTMLInputElement;
    return { c, box, label: el("label", {}, box, c) };
  });
  const save = el("button", { id: `setting-save-${i}` }, "Add setting");
  const out = el("div");
  save.addEventListener("click", async () => {
    const logs = all.checked ? [{ categoryGroup: "allLogs", enabled: true }] : cats.filter((x) => x.box.checked).map((x) => ({ category: x.c, enabled: true }));
    try {
      await send("PUT", "/v1/resources" + r.id + "/diagnosticSettings/" + encodeURIComponent(name.value.trim()), { workspaceId: target.value, logs });
      reload();
    } catch (e) {
      out.replaceChildren(failed(e));
    }
  });
  return el("div", { class: "row" }, name, target, el("label", {}, all, "all logs"), ...cats.map((x) => x.label), save, out);
}

async function keysSection(ws: Workspace[], reload: () => void) {
  const box = section("settings-keys", "API keys");
  let keys: Key[] = [];
  try {
    keys = (await get<{ value: Key[] }>("/v1/keys")).value;
  } catch (e) {
    box.append(failed(e));
    return box;
  }
  const rows = keys.map((k) => [k.id, k.kind, k.name || "", k.created, k.revoked ? "revoked " + k.revoked : "active"]);
  box.append(keys.length ? resultTable(["Id", "Kind", "Name", "Created", "State"].map((name) => ({ name, type: "string" })), rows) :
    el("p", { class: "muted" }, "No keys: the server runs open on loopback. Create an admin key before listening on other addresses."));
  const kind = el("select", { "aria-label": "key kind", id: "key-kind" }) as HTMLSelectElement;
  for (const k of ["read", "ingest", "admin"]) kind.append(el("option", { value: k }, k));
  const name = el("input", { placeholder: "key name", "aria-label": "key name", size: "14" }) as HTMLInputElement;
  const target = el("select", { "aria-label": "workspace of a read key" }) as HTMLSelectElement;
  for (const w of ws) target.append(el("option", { value: w.name }, w.name));
  const create = el("button", { id: "create-key" }, "Create key");
  const shown = el("div", { id: "new-key" });
  create.addEventListener("click", async () => {
    try {
      const body: Record<string, unknown> = { kind: kind.value, name: name.value };
      if (kind.value === "read") body.workspace = target.value;
      if (kind.value === "ingest") body.resources = (await get<{ value: Resource[] }>("/v1/resources")).value.map((r) => r.id);
      const k = await send<Key & { key: string }>("POST", "/v1/keys", body);
      shown.replaceChildren(el("p", {}, "Copy the key now; it is not shown again: ", el("code", {}, k.key)));
    } catch (e) {
      shown.replaceChildren(failed(e));
    }
  });
  const revokeId = el("input", { placeholder: "key id to revoke", "aria-label": "key id to revoke", size: "20" }) as HTMLInputElement;
  const revoke = el("button", {}, "Revoke");
  revoke.addEventListener("click", async () => {
    try {
      await send("DELETE", "/v1/keys/" + encodeURIComponent(revokeId.value.trim()));
      reload();
    } catch (e) {
      shown.replaceChildren(failed(e));
    }
  });
  box.append(el("div", { class: "row" }, kind, name, target, create, revokeId, revoke), shown);
  return box;
}
