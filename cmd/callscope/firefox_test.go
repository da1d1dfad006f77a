package main_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// Firefox is driven over WebDriver BiDi, the W3C protocol it speaks
// natively (chromedp speaks Chrome's protocol, which Firefox dropped). The
// few commands the test needs fit in a small client.

// bidi is one WebDriver BiDi session; commands run one at a time.
type bidi struct {
	t    testing.TB
	conn net.Conn
	next int
	ctx  string // the browsing context (tab)
}

func (b *bidi) call(method string, params any) json.RawMessage {
	b.t.Helper()
	b.next++
	msg, _ := json.Marshal(map[string]any{"id": b.next, "method": method, "params": params})
	b.conn.SetDeadline(time.Now().Add(30 * time.Second))
	if err := wsutil.WriteClientText(b.conn, msg); err != nil {
		b.t.Fatalf("BiDi %s: %v", method, err)
	}
	for {
		raw, err := wsutil.ReadServerText(b.conn)
		if err != nil {
			b.t.Fatalf("BiDi %s: %v", method, err)
		}
		var r struct {
			Type    string          `json:"type"`
			ID      int             `json:"id"`
			Result  json.RawMessage `json:"result"`
			Error   string          `json:"error"`
			Message string          `json:"message"`
		}
		json.Unmarshal(raw, &r)
		if r.Type == "event" || r.ID != b.next {
			continue
		}
		if r.Type == "error" {
			b.t.Fatalf("BiDi %s: %s: %s", method, r.Error, r.Message)
		}
		return r.Result
	}
}

// eval runs a JavaScript expression in the page and decodes its value.
func (b *bidi) eval(expr string, v any) {
	b.t.Helper()
	var r struct {
		Type   string `json:"type"`
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct{ Text string } `json:"exceptionDetails"`
	}
	// JSON.stringify keeps the answer plain, whatever its shape.
	json.Unmarshal(b.call("script.evaluate", map[string]any{
		"expression": "JSON.stringify(" + expr + ")", "target": map[string]string{"context": b.ctx}, "awaitPromise": true,
	}), &r)
	if r.ExceptionDetails != nil {
		b.t.Fatalf("evaluating %s: %s", expr, r.ExceptionDetails.Text)
	}
	var s string
	json.Unmarshal(r.Result.Value, &s)
	if v != nil {
		if err := json.Unmarshal([]byte(s), v); err != nil {
			b.t.Fatalf("evaluating %s: %q: %v", expr, s, err)
		}
	}
}

// waitFor polls a JavaScript condition until it holds.
func (b *bidi) waitFor(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ok bool
		b.eval("!!("+cond+")", &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("Firefox: %s did not happen in 30 s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *bidi) open(u string) {
	b.t.Helper()
	b.call("browsingContext.navigate", map[string]any{"context": b.ctx, "url": "about:blank", "wait": "complete"})
	b.call("browsingContext.navigate", map[string]any{"context": b.ctx, "url": u, "wait": "complete"})
}

func (b *bidi) screenshot(name string) {
	b.t.Helper()
	var r struct{ Data string }
	json.Unmarshal(b.call("browsingContext.captureScreenshot", map[string]any{"context": b.ctx, "origin": "document"}), &r)
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil || len(png) == 0 {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// firefox starts Debian's Firefox ESR, headless, on a fresh profile whose
// preferences keep it off the network, and opens a BiDi session.
func firefox(t testing.TB) *bidi {
	t.Helper()
	if _, err := os.Stat("/usr/bin/firefox-esr"); err != nil {
		t.Fatal("no /usr/bin/firefox-esr: make test installs Debian's firefox-esr package")
	}
	profile := t.TempDir()
	prefs := []string{
		`user_pref("app.update.enabled", false);`, `user_pref("app.normandy.enabled", false);`,
		`user_pref("browser.shell.checkDefaultBrowser", false);`, `user_pref("browser.safebrowsing.malware.enabled", false);`,
		`user_pref("browser.safebrowsing.phishing.enabled", false);`, `user_pref("datareporting.policy.dataSubmissionEnabled", false);`,
		`user_pref("toolkit.telemetry.enabled", false);`, `user_pref("network.captive-portal-service.enabled", false);`,
		`user_pref("network.connectivity-service.enabled", false);`, `user_pref("services.settings.server", "data:,#remote-settings-off");`,
		`user_pref("extensions.update.enabled", false);`, `user_pref("browser.newtabpage.enabled", false);`,
		`user_pref("media.gmp-manager.url", "data:,");`, `user_pref("network.dns.disablePrefetch", true);`,
	}
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(strings.Join(prefs, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command("/usr/bin/firefox-esr", "--headless", "--no-remote", "--profile", profile,
		"--remote-debugging-port", strconv.Itoa(port), "--width", "1400", "--height", "900")
	cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1", "HOME="+profile)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Firefox says on stderr when BiDi listens.
	listening := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "WebDriver BiDi listening on") {
				listening <- true
			}
		}
	}()
	select {
	case <-listening:
	case <-time.After(60 * time.Second):
		t.Fatal("Firefox did not start its WebDriver BiDi listener in 60 s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, _, err := ws.Dial(ctx, fmt.Sprintf("ws://127.0.0.1:%d/session", port))
	if err != nil {
		t.Fatalf("BiDi connect: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	b := &bidi{t: t, conn: conn}
	b.call("session.new", map[string]any{"capabilities": map[string]any{}})
	var tree struct{ Contexts []struct{ Context string } }
	json.Unmarshal(b.call("browsingContext.getTree", map[string]any{}), &tree)
	if len(tree.Contexts) == 0 {
		t.Fatal("Firefox has no tab")
	}
	b.ctx = tree.Contexts[0].Context
	// Any script error on any page is kept for the test to read.
	b.call("script.addPreloadScript", map[string]any{"functionDeclaration": `() => {
		window.__errors = [];
		window.addEventListener("error", (e) => window.__errors.push(String(e.message)));
		window.addEventListener("unhandledrejection", (e) => window.__errors.push(String(e.reason)));
	}`})
	return b
}

// The web UI works in Firefox as in Chromium: every page draws without a
// script error or an error box, the Query page shows the API's rows, and
// the call search leads into a call's timeline.
func TestFirefox(t *testing.T) {
	now := time.Now().UTC()
	s := simulatedServer(t, 12, 7, now.Add(-5*time.Hour), now.Add(-time.Hour))
	b := firefox(t)
	clean := func(page string) {
		t.Helper()
		var errs []string
		b.eval(`[...window.__errors, ...[...document.querySelectorAll("#main .error")].map(e => e.textContent)]`, &errs)
		if len(errs) > 0 {
			t.Errorf("Firefox, %s: %v", page, errs)
		}
	}
	for _, tab := range []string{"Volume", "Reliability", "User-facing diagnostics", "Quality", "Performance"} {
		b.open(s.url + "/#/insights?tab=" + url.QueryEscape(tab))
		b.waitFor(tab+" drawn", uiReady)
		var tiles, charts int
		b.eval(`document.querySelectorAll("#panels .tile").length`, &tiles)
		b.eval(`document.querySelectorAll("#panels canvas").length`, &charts)
		if tiles == 0 || charts == 0 {
			t.Errorf("Firefox, Insights %s: %d tiles, %d charts", tab, tiles, charts)
		}
		clean("Insights " + tab)
		b.screenshot("firefox-insights-" + strings.ToLower(strings.ReplaceAll(tab, " ", "-")))
	}

	const q = "ACSCallSummary | summarize participants = count() by CallType | order by CallType asc"
	b.open(s.url + "/#/query")
	b.waitFor("the editor", `document.querySelector("#kql")`)
	b.eval(`(() => { document.querySelector("#kql").value = `+strconv.Quote(q)+`; document.querySelector("#run").click(); return true; })()`, nil)
	b.waitFor("the result", `document.querySelector("#rowcount")`)
	var cells []string
	b.eval(`[...document.querySelectorAll("#result tbody td")].map(td => td.textContent)`, &cells)
	var want []string
	for _, r := range apiRows(t, s.url, q, "P7D") {
		want = append(want, r...)
	}
	if strings.Join(cells, "|") != strings.Join(want, "|") || len(want) == 0 {
		t.Errorf("Firefox, Query page shows %v, the API answers %v", cells, want)
	}
	clean("Query")
	b.screenshot("firefox-query")

	b.open(s.url + "/#/calls")
	b.waitFor("the call search", `document.querySelector("#calls tbody tr")`)
	var rows int
	b.eval(`document.querySelectorAll("#calls tbody tr").length`, &rows)
	if rows != 12 {
		t.Errorf("Firefox, call search: %d calls, want 12", rows)
	}
	clean("Call search")
	b.screenshot("firefox-calls")
	b.eval(`(() => { document.querySelector("#calls tbody tr").click(); return true; })()`, nil)
	b.waitFor("the call page", `document.querySelector("#tab-timeline")`)
	b.eval(`(() => { document.querySelector("#tab-timeline").click(); return true; })()`, nil)
	b.waitFor("the timeline", `document.querySelector(".lanes svg rect.event") && document.querySelector("#media-stats")`)
	clean("Call timeline")
	b.screenshot("firefox-call-timeline")

	b.open(s.url + "/#/settings")
	b.waitFor("Settings", uiReady)
	clean("Settings")
	b.screenshot("firefox-settings")
}
