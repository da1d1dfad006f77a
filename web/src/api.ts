// The HTTP API the pages read: the same endpoints a user's tools call, so
// what a page shows is what a query returns.

export interface Column { name: string; type: string }
export interface Table { name: string; columns: Column[]; rows: unknown[][] }
export interface QueryAnswer { tables: Table[]; render?: { visualization: string; [k: string]: unknown } }

export class APIError extends Error {
  constructor(public status: number, message: string, public line = 0, public pos = 0, public code = "") {
    super(message);
  }
}

let workspace = localStorage.getItem("callscope.workspace") || "default";
export const currentWorkspace = () => workspace;
export function setWorkspace(ws: string) {
  workspace = ws;
  localStorage.setItem("callscope.workspace", ws);
}

// The API key, when the server requires keys: kept in the browser only.
export const apiKey = () => localStorage.getItem("callscope.key") || "";
export const setAPIKey = (k: string) => localStorage.setItem("callscope.key", k);

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (apiKey()) headers.set("Authorization", "Bearer " + apiKey());
  const resp = await fetch(path, { ...init, headers });
  const text = await resp.text();
  if (resp.ok && text.trim() === "") return undefined as T; // 204, or a DELETE
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new APIError(resp.status, `${resp.status} ${resp.statusText}: ${text.slice(0, 200)}`);
  }
  if (!resp.ok) {
    const e = body.error || {};
    const inner = e.innererror || {};
    throw new APIError(resp.status, e.message || resp.statusText, inner.line || 0, inner.pos || 0, inner.code || e.code || "");
  }
  return body as T;
}

export const wsPath = (rest: string) => `/v1/workspaces/${encodeURIComponent(workspace)}${rest}`;

export function kql(query: string, timespan?: string, parameters?: Record<string, string>): Promise<QueryAnswer> {
  const body: Record<string, unknown> = { query };
  if (timespan) body.timespan = timespan;
  if (parameters) body.parameters = parameters;
  return call(wsPath("/query"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

export async function workspaces(): Promise<string[]> {
  const r = await call<{ value: { name: string }[] }>("/v1/workspaces");
  return r.value.map((w) => w.name);
}

export const get = <T>(path: string) => call<T>(path);

// send writes with the administration API.
export function send<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  return call<T>(path, body === undefined ? { method } : { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

// The quality model (GET /v1/quality): the KQL tests of a poor stream and
// a dropped participant the call search uses, and what codes and
// diagnostics mean. Fetched once.
export interface EndReason { code: number; subCode: number; phrase: string; class: string; resultCategory?: string; explanation: string; nextStep: string }
export interface UFDInfo { name: string; aliases?: string[]; explanation: string; nextStep: string; countsAsIssue: boolean }
export interface QualityModel { poorStream: string; dropped: string; successResultTypes: string[]; endReasons: EndReason[]; ufds: UFDInfo[] }
let modelPromise: Promise<QualityModel> | undefined;
export function qualityModel(): Promise<QualityModel> {
  modelPromise ??= call<QualityModel>("/v1/quality");
  return modelPromise;
}

// The categories diagnostic settings send to the current workspace, or
// "all" when one sends every category.
export async function routedCategories(): Promise<Set<string> | "all"> {
  const r = await call<{ value: { allLogs: boolean; categories?: string[] }[] }>(wsPath("/sources"));
  if (r.value.some((i) => i.allLogs)) return "all";
  return new Set(r.value.flatMap((i) => i.categories || []));
}
