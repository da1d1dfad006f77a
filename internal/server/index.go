package server

import (
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// handleIndex shows what the server holds and where its API lives. It is
// the landing page until the web UI takes this path over.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>callscope</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse}td,th{padding:.2rem .8rem;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{background:#8881;padding:0 .3rem}@media(prefers-color-scheme:dark){body{background:#111;color:#ddd}a{color:#8bf}}</style></head><body>
<h1>callscope</h1>`)
	if s.cfg.Open {
		for _, reg := range s.registry.Workspaces() {
			ws, err := s.storeWorkspace(r.Context(), reg)
			if err != nil {
				continue
			}
			fmt.Fprintf(&b, "<h2>Workspace %s</h2><p>id <code>%s</code></p>", html.EscapeString(reg.Name), html.EscapeString(reg.ID))
			b.WriteString("<table><tr><th>Table</th><th>Rows</th><th>Newest TimeGenerated</th></tr>")
			for _, t := range schema.Tables() {
				q := fmt.Sprintf(`SELECT count(*), max("TimeGenerated") FROM "%s"`, t.Name)
				res, err := ws.Query(r.Context(), q, store.QueryOptions{MaxRows: 1, Timeout: s.cfg.QueryTimeout})
				rows, newest := "?", ""
				if err == nil && len(res.Rows) == 1 {
					rows = fmt.Sprint(res.Rows[0][0])
					if res.Rows[0][1] != nil {
						newest = fmt.Sprint(res.Rows[0][1])
					}
				}
				fmt.Fprintf(&b, `<tr><td>%s</td><td class="n">%s</td><td>%s</td></tr>`, t.Name, rows, html.EscapeString(newest))
			}
			b.WriteString("</table>")
		}
	}
	b.WriteString(`<h2>API</h2><ul>
<li><code>POST /v1/ingest</code> — records as an Event Hubs envelope, NDJSON or a JSON array, optionally gzip</li>
<li><code>POST /v1/workspaces/{workspace}/sql</code> — read-only SQL, answered in the Log Analytics result shape</li>
<li><code>/v1/workspaces</code>, <code>/v1/resources/{resourceId}/diagnosticSettings/{name}</code>, <code>/v1/keys</code> — administration (admin key)</li>
<li><a href="/metrics"><code>/metrics</code></a>, <a href="/healthz"><code>/healthz</code></a>, <a href="/readyz"><code>/readyz</code></a></li>
</ul></body></html>`)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, b.String())
}
