// The callscope web UI: a page per route of the location's hash.

import { apiKey, currentWorkspace, setAPIKey, setWorkspace, workspaces } from "./api";
import { callPage, searchPage } from "./calls";
import { insightsPage } from "./insights";
import { queryPage } from "./query";
import { settingsPage } from "./settings";
import { el } from "./table";

const main = document.getElementById("main") as HTMLElement;

function route() {
  const hash = location.hash.slice(1) || "/calls";
  const [path, qs] = hash.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  for (const a of document.querySelectorAll("#nav a")) {
    a.classList.toggle("active", (a as HTMLAnchorElement).hash.slice(2) === parts[0]);
  }
  switch (parts[0]) {
    case "insights":
      insightsPage(main, new URLSearchParams(qs));
      break;
    case "settings":
      settingsPage(main);
      break;
    case "query":
      queryPage(main, new URLSearchParams(qs).get("q") || undefined);
      break;
    case "calls":
      if (parts[1]) callPage(main, parts[1], parts[2] || "overview");
      else searchPage(main, new URLSearchParams(qs));
      break;
    default:
      main.replaceChildren(el("p", {}, "Nothing here. ", el("a", { href: "#/calls" }, "Go to Call Diagnostics.")));
  }
  main.focus();
}

async function start() {
  const key = document.getElementById("apikey") as HTMLInputElement;
  key.value = apiKey();
  key.addEventListener("change", () => {
    setAPIKey(key.value.trim());
    location.reload();
  });
  const picker = document.getElementById("workspace") as HTMLSelectElement;
  try {
    for (const ws of await workspaces()) picker.append(el("option", { value: ws }, ws));
  } catch {
    picker.append(el("option", { value: currentWorkspace() }, currentWorkspace()));
  }
  picker.value = currentWorkspace();
  if (picker.value !== currentWorkspace() && picker.options.length > 0) {
    setWorkspace(picker.options[0].value);
    picker.value = currentWorkspace();
  }
  picker.addEventListener("change", () => {
    setWorkspace(picker.value);
    route();
  });
  window.addEventListener("hashchange", route);
  route();
}

start();
