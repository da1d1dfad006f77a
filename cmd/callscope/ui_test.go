package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// browser starts Debian's Chromium, headless, with nothing that would try
// to reach the network on its own.
func browser(t testing.TB) context.Context {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Fatal("no /usr/bin/chromium: make test installs Debian's chromium package")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath("/usr/bin/chromium"), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 900),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

// screenshot saves the page as PNG in the test's artifact folder.
func screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// apiRows runs KQL through the API and returns the rows as text.
func apiRows(t *testing.T, base, query, timespan string) [][]string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query, "timespan": timespan})
	resp, err := http.Post(base+"/v1/workspaces/default/query", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct{ Tables []struct{ Rows [][]any } }
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 {
		t.Fatalf("query %q: %d %v", query, resp.StatusCode, err)
	}
	var out [][]string
	for _, row := range r.Tables[0].Rows {
		var cells []string
		for _, v := range row {
			cells = append(cells, fmt.Sprint(v))
		}
		out = append(out, cells)
	}
	return out
}

// simulatedServer serves a workspace the simulator fills with calls
// started between from and to, and waits for the daily ACSCallingMetrics
// rows (the Reliability and UFD tabs read them), which the server rolls up
// from the client operations every second.
func simulatedServer(t testing.TB, calls, seed int, from, to time.Time) *server {
	t.Helper()
	s := serve(t, t.TempDir(), "--rollup-every", "1s")
	s.routeSimulator(t)
	if _, errOut, err := run(t, "simulate", "--post", s.url, "--calls", strconv.Itoa(calls), "--seed", strconv.Itoa(seed),
		"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339)); err != nil {
		t.Fatalf("simulate: %v\n%s", err, errOut)
	}
	deadline := time.Now().Add(time.Minute)
	for len(s.sql(t, "SELECT 1 FROM ACSCallingMetrics LIMIT 1")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no ACSCallingMetrics rows a minute after ingest")
		}
		time.Sleep(200 * time.Millisecond)
	}
	return s
}

// The web UI in a real Chromium against a served, simulated workspace: a
// KQL query typed into the Query page shows the API's rows, a bad query
// shows its error at its position, and the Call Diagnostics pages lead
// from the search to a call's overview, issues and timeline.
func TestWebUI(t *testing.T) {
	now := time.Now().UTC()
	s := simulatedServer(t, 25, 4, now.Add(-6*time.Hour), now.Add(-time.Hour))
	ctx := browser(t)

	// Query page: Ctrl+Enter runs the query; the table holds the API's rows.
	const q = "ACSCallSummary | summarize participants = count() by CallType | order by CallType asc"
	var cells []string
	err := chromedp.Run(ctx,
		chromedp.Navigate(s.url+"/#/query"),
		chromedp.WaitVisible("#kql"),
		chromedp.SetValue("#kql", q),
		chromedp.Focus("#kql"),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(input.ModifierCtrl)),
		chromedp.WaitVisible("#rowcount"),
		chromedp.Evaluate(`[...document.querySelectorAll("#result tbody td")].map(td => td.textContent)`, &cells),
	)
	if err != nil {
		t.Fatalf("query page: %v", err)
	}
	var want []string
	for _, r := range apiRows(t, s.url, q, "P7D") {
		want = append(want, r...)
	}
	if strings.Join(cells, "|") != strings.Join(want, "|") || len(want) == 0 {
		t.Errorf("the Query page shows %v, the API answers %v", cells, want)
	}
	screenshot(t, ctx, "query")

	// A bad query: the error names line 2, column 9, and the caret is there.
	var line, pos, msg string
	err = chromedp.Run(ctx,
		chromedp.SetValue("#kql", "ACSCallSummary\n| where Foo == 1"),
		chromedp.Click("#run"),
		chromedp.WaitVisible("#error"),
		chromedp.AttributeValue("#error", "data-line", &line, nil),
		chromedp.AttributeValue("#error", "data-pos", &pos, nil),
		chromedp.Text("#error", &msg),
	)
	if err != nil {
		t.Fatalf("bad query: %v", err)
	}
	if line != "2" || pos != "9" || !strings.Contains(msg, "Foo") || !strings.Contains(msg, "| where Foo == 1\n        ^") {
		t.Errorf("error at line %s, column %s: %q", line, pos, msg)
	}
	screenshot(t, ctx, "query-error")

	// Call Diagnostics: the search lists the calls; a click opens one; its
	// tabs show participants, issues and the timeline's events.
	var rows, participants, events int
	var title string
	err = chromedp.Run(ctx,
		chromedp.Navigate(s.url+"/#/calls"),
		chromedp.WaitVisible("#calls table"),
		chromedp.Evaluate(`document.querySelectorAll("#calls tbody tr").length`, &rows),
	)
	if err != nil || rows != 25 {
		t.Fatalf("call search: %d rows, %v", rows, err)
	}
	screenshot(t, ctx, "calls")
	err = chromedp.Run(ctx,
		chromedp.Click("#calls tbody tr"),
		chromedp.WaitVisible("#facts"),
		chromedp.WaitVisible("#tab-body table"),
		chromedp.Text("h1", &title),
		chromedp.Evaluate(`document.querySelectorAll("#tab-body tbody tr").length`, &participants),
	)
	if err != nil || !strings.HasPrefix(title, "Call ") || participants < 2 {
		t.Fatalf("call page: %q, %d participants, %v", title, participants, err)
	}
	screenshot(t, ctx, "call-overview")
	err = chromedp.Run(ctx,
		chromedp.Click("#tab-issues"),
		chromedp.WaitVisible(`#tab-issues[aria-selected="true"]`),
		chromedp.Sleep(300*time.Millisecond),
	)
	if err != nil {
		t.Fatalf("issues tab: %v", err)
	}
	screenshot(t, ctx, "call-issues")
	err = chromedp.Run(ctx,
		chromedp.Click("#tab-timeline"),
		chromedp.WaitVisible(".lanes svg"),
		chromedp.Evaluate(`document.querySelectorAll(".lanes rect.event").length`, &events),
		chromedp.Click(".lanes rect.event"),
		chromedp.Text("#event-detail", &msg),
	)
	if err != nil || events == 0 || !strings.Contains(msg, `"operation"`) {
		t.Fatalf("timeline: %d events, detail %q, %v", events, msg, err)
	}
	var mediaCharts int
	err = chromedp.Run(ctx,
		chromedp.WaitVisible("#media-stats"),
		chromedp.Evaluate(`document.querySelectorAll("#media-stats canvas").length`, &mediaCharts),
	)
	if err != nil || mediaCharts == 0 {
		t.Fatalf("media statistics under the timeline: %d charts, %v", mediaCharts, err)
	}
	screenshot(t, ctx, "call-timeline")

	// Insights: every tab loads without an error, and its headline numbers
	// equal the same query's answer from the API.
	for _, tab := range []string{"Volume", "Reliability", "User-facing-diagnostics", "Quality", "Performance"} {
		var errors int
		var tiles []map[string]string
		err = chromedp.Run(ctx,
			chromedp.Navigate(s.url+"/#/insights"),
			chromedp.WaitVisible("#insights-"+tab),
			chromedp.Click("#insights-"+tab),
			chromedp.WaitVisible(`#insights-`+tab+`[aria-selected="true"]`),
			chromedp.Poll(`document.querySelectorAll('#panels section').length > 0 && document.querySelectorAll('#panels [aria-busy="true"]').length === 0`, nil),
			chromedp.Evaluate(`document.querySelectorAll("#panels .error").length`, &errors),
			chromedp.Evaluate(`[...document.querySelectorAll("#panels section")].filter(s => s.querySelector(".tiles")).map(s =>
				Object.fromEntries([["kql", s.dataset.kql], ...[...s.querySelectorAll(".tile")].map(t => [t.dataset.name, t.querySelector(".tile-value").textContent])]))`, &tiles),
		)
		if err != nil || errors != 0 {
			var msgs []string
			chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll("#panels .error")].map(e => e.closest("section").id + ": " + e.textContent)`, &msgs))
			t.Fatalf("Insights %s: %v, errors %v", tab, err, msgs)
		}
		if len(tiles) != 1 {
			t.Fatalf("Insights %s: %d panels of headline numbers, want 1", tab, len(tiles))
		}
		body, _ := json.Marshal(map[string]any{"query": tiles[0]["kql"], "timespan": "P7D"})
		resp, err := http.Post(s.url+"/v1/workspaces/default/query", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Tables []struct {
				Columns []struct{ Name string }
				Rows    [][]any
			}
		}
		json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if len(r.Tables) != 1 || len(r.Tables[0].Rows) != 1 {
			t.Fatalf("Insights %s headline query: %+v", tab, r)
		}
		for i, c := range r.Tables[0].Columns {
			want := fmt.Sprint(r.Tables[0].Rows[0][i])
			if r.Tables[0].Rows[0][i] == nil {
				t.Errorf("Insights %s: %s is null over simulated data", tab, c.Name)
			}
			if got := tiles[0][c.Name]; got != want {
				t.Errorf("Insights %s: %s shows %q, the API answers %q", tab, c.Name, got, want)
			}
		}
		screenshot(t, ctx, "insights-"+strings.ToLower(tab))
	}

	// The legs per scenario count the newest row of every dimension set
	// the rollup wrote (one CorrelationId each), none left out: a
	// de-duplication by fewer dimensions than the rows have would drop
	// rows that differ only in a device or version column.
	var legs [][]string
	err = chromedp.Run(ctx,
		chromedp.Navigate(s.url+"/#/insights?tab=Reliability"),
		chromedp.WaitVisible("#panel-reliability-scenarios tbody tr"),
		chromedp.Evaluate(`[...document.querySelectorAll("#panel-reliability-scenarios tbody tr")].map(r => [r.children[0].textContent, r.children[2].textContent]).sort((a, b) => a[0] < b[0] ? -1 : 1)`, &legs),
	)
	wantLegs := apiRows(t, s.url, `ACSCallingMetrics | where MetricName startswith 'reliability/api/' and MetricName !startswith 'reliability/api/UFD'
		| summarize arg_max(TimestampMax, *) by CorrelationId
		| summarize Legs = sum(LegsDcount) by Scenario = replace_string(MetricName, 'reliability/api/', '') | order by Scenario asc`, "P7D")
	if err != nil || fmt.Sprint(legs) != fmt.Sprint(wantLegs) || len(legs) == 0 {
		t.Errorf("legs per scenario: the page shows %v, the newest row of each dimension set sums to %v (%v)", legs, wantLegs, err)
	}

	// Reliability narrows to a scenario with failures (a row click), and
	// the calls behind its top issue are the calls where it failed.
	var scenario, hash string
	err = chromedp.Run(ctx,
		chromedp.Navigate(s.url+"/#/insights?tab=Reliability"),
		chromedp.WaitVisible("#panel-reliability-scenarios tbody tr"),
		chromedp.Evaluate(`(() => { const r = [...document.querySelectorAll("#panel-reliability-scenarios tbody tr")].find(r => Number(r.children[3].textContent) > 0 && !["CallAgentInit", "Drop"].includes(r.children[0].textContent));
			r.click(); return r.children[0].textContent; })()`, &scenario),
		chromedp.WaitVisible("#panel-reliability-scenario-issues"),
		chromedp.Poll(uiReady, nil),
	)
	if err != nil || scenario == "" {
		t.Fatalf("reliability drill-down: %q %v", scenario, err)
	}
	var chip string
	var errs []string
	chromedp.Run(ctx, chromedp.Text("#drill", &chip), chromedp.Evaluate(`[...document.querySelectorAll("#panels .error")].map(e => e.textContent)`, &errs))
	if !strings.Contains(chip, "Scenario: "+scenario) || len(errs) > 0 {
		t.Errorf("narrowed to %q: chip %q, errors %v", scenario, chip, errs)
	}
	screenshot(t, ctx, "insights-reliability-scenario")
	err = chromedp.Run(ctx,
		chromedp.Click("#panel-reliability-scenario-issues a.calls-link"),
		chromedp.WaitVisible("#calls table"),
		chromedp.Evaluate(`location.hash`, &hash),
		chromedp.Evaluate(`document.querySelectorAll("#calls tbody tr").length`, &rows),
	)
	op := strings.Split(scenario, "/")[0]
	if err != nil || !strings.Contains(hash, "failed="+op) || rows == 0 {
		t.Fatalf("calls behind %s's failures: hash %q, %d rows, %v", scenario, hash, rows, err)
	}
	var found struct {
		Calls []struct{ IssuesBreakdown map[string]int }
	}
	getJSON(t, s.url+"/v1/workspaces/default/calls?timespan=P7D&failed="+op, &found)
	if len(found.Calls) != rows {
		t.Errorf("the page lists %d calls where %s failed, the API %d", rows, op, len(found.Calls))
	}
	for _, c := range found.Calls {
		if c.IssuesBreakdown[op] == 0 {
			t.Errorf("a call behind %s's failures has no failed %s: %v", scenario, op, c.IssuesBreakdown)
		}
	}

	// A time chart's bucket leads to the calls started in it.
	var from, to string
	var starts []string
	err = chromedp.Run(ctx,
		chromedp.Navigate(s.url+"/#/insights?bin=1h"),
		chromedp.WaitVisible("#panel-volume-over-time details"),
		chromedp.Evaluate(`document.querySelector("#panel-volume-over-time details").open = true`, nil),
		chromedp.Click("#panel-volume-over-time tbody tr"),
		chromedp.WaitVisible("#calls table"),
		chromedp.Evaluate(`new URLSearchParams(location.hash.split("?")[1]).get("from")`, &from),
		chromedp.Evaluate(`new URLSearchParams(location.hash.split("?")[1]).get("to")`, &to),
		chromedp.Evaluate(`[...document.querySelectorAll("#calls tbody tr")].map(r => r.children[1].textContent)`, &starts),
	)
	if err != nil || from == "" || len(starts) == 0 {
		t.Fatalf("from an hourly bucket to its calls: %q..%q %v %v", from, to, starts, err)
	}
	lo, err1 := time.Parse(time.RFC3339Nano, from)
	hi, err2 := time.Parse(time.RFC3339Nano, to)
	if err1 != nil || err2 != nil || hi.Sub(lo) != time.Hour {
		t.Fatalf("bucket %q..%q is not an hour", from, to)
	}
	for _, st := range starts {
		at, err := time.Parse(time.RFC3339Nano, st)
		if err != nil || at.Before(lo) || at.After(hi) {
			t.Errorf("a call started at %s is outside the bucket %s..%s", st, from, to)
		}
	}

	// From the Quality tab's impacted-calls chart to the calls behind the
	// first slice (the poor ones), into a call, to its timeline.
	var box []float64
	err = chromedp.Run(ctx,
		chromedp.Navigate(s.url+"/#/insights?tab=Quality"),
		chromedp.WaitVisible("#panel-quality-impacted canvas"),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Evaluate(`(() => { const c = document.querySelector("#panel-quality-impacted canvas"); c.scrollIntoView({ block: "center" });
			const r = c.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`, &box),
	)
	if err != nil || len(box) != 4 {
		t.Fatalf("quality chart: %v %v", box, err)
	}
	// The first slice starts at the top and runs clockwise: a point a little
	// clockwise of twelve o'clock, halfway out, is in it.
	cx, cy := box[0]+box[2]/2, box[1]+box[3]/2+10
	radius := min(box[2], box[3]-40) / 2
	err = chromedp.Run(ctx,
		chromedp.MouseClickXY(cx+radius*0.15, cy-radius*0.5),
		chromedp.WaitVisible("#calls table"),
		chromedp.Evaluate(`location.hash`, &hash),
		chromedp.Evaluate(`[...document.querySelectorAll("#calls tbody tr")].map(r => r.children[5].textContent)`, &cells),
	)
	if err != nil || !strings.Contains(hash, "quality=poor") || len(cells) == 0 {
		t.Fatalf("chart click: hash %q, qualities %v, %v", hash, cells, err)
	}
	for _, q := range cells {
		if q != "poor" {
			t.Errorf("the calls behind the poor slice include one of quality %q", q)
		}
	}
	err = chromedp.Run(ctx,
		chromedp.Click("#calls tbody tr"),
		chromedp.WaitVisible("#tab-timeline"),
		chromedp.Click("#tab-timeline"),
		chromedp.WaitVisible(".lanes svg"),
	)
	if err != nil {
		t.Fatalf("from the chart to a call's timeline: %v", err)
	}
}

// ingestOne posts one CallSummary record of a resource and returns how
// many records were accepted and dropped.
func ingestOne(t *testing.T, base, resource, call string) (accepted, dropped int) {
	t.Helper()
	rec := fmt.Sprintf(`{"time":"%s","resourceId":%q,"category":"CallSummary","correlationId":%q,"properties":{"callType":"P2P","callDuration":"42"}}`,
		time.Now().UTC().Format(time.RFC3339), resource, call)
	resp, err := http.Post(base+"/v1/ingest", "application/x-ndjson", strings.NewReader(rec+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Accepted int
		Dropped  map[string]int
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 {
		t.Fatalf("ingest: %d %v", resp.StatusCode, err)
	}
	n := 0
	for _, v := range r.Dropped {
		n += v
	}
	return r.Accepted, n
}

// A diagnostic setting created on the Settings page changes what
// ingestion stores: the resource's records are dropped before and stored
// after.
func TestWebSettings(t *testing.T) {
	s := serve(t, t.TempDir())
	const res = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.Communication/CommunicationServices/ui-test"
	s.put(t, "/v1/resources"+res, `{"tenantId":"11111111-1111-1111-1111-111111111111"}`)
	if acc, drop := ingestOne(t, s.url, res, "before-setting"); acc != 0 || drop != 1 {
		t.Fatalf("before any setting: accepted %d, dropped %d", acc, drop)
	}

	ctx := browser(t)
	var listed string
	err := chromedp.Run(ctx,
		chromedp.Navigate(s.url+"/#/settings"),
		chromedp.WaitVisible("#setting-save-0"),
		chromedp.SendKeys("#setting-name-0", "to-default"),
		chromedp.Click("#setting-save-0"),
		chromedp.WaitVisible(`//li[contains(., "to-default")]`, chromedp.BySearch),
		chromedp.Text("#settings-resources", &listed),
	)
	if err != nil {
		t.Fatalf("settings page: %v", err)
	}
	if !strings.Contains(listed, "to-default → default: allLogs") {
		t.Errorf("the new setting is listed as %q", listed)
	}
	screenshot(t, ctx, "settings")

	if acc, drop := ingestOne(t, s.url, res, "after-setting"); acc != 1 || drop != 0 {
		t.Fatalf("after the setting: accepted %d, dropped %d", acc, drop)
	}
	if rows := s.sql(t, "SELECT CorrelationId FROM ACSCallSummary"); len(rows) != 1 || rows[0][0] != "after-setting" {
		t.Errorf("stored %v, want only the record sent after the setting", rows)
	}
}
