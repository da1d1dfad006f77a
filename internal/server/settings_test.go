package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/store/enginetest"
	"github.com/callscope/callscope/internal/workspace"
)

// call makes an API request and decodes the JSON answer.
func (ts *testServer) call(t *testing.T, method, path, key string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ts.URL+path, rd)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// ingestAs posts NDJSON records with a key and returns the answer.
func (ts *testServer) ingestAs(t *testing.T, key string, records ...string) (int, ingestReply) {
	t.Helper()
	h := map[string]string{}
	if key != "" {
		h["Authorization"] = "Bearer " + key
	}
	return ts.post(t, []byte(strings.Join(records, "\n")), h)
}

func rec(resource, category, marker string) string {
	return fmt.Sprintf(`{"time":"2026-05-01T10:00:00Z","resourceId":%q,"category":%q,"correlationId":"call-x","properties":{"marker":%q}}`, resource, category, marker)
}

// countMarker counts the rows of a workspace table carrying a marker.
func (ts *testServer) countMarker(t *testing.T, ws, table, marker string) int {
	t.Helper()
	q := fmt.Sprintf(`%s | where tostring(AdditionalFields.marker) == %q | count`, table, marker)
	return int(ts.rows(t, "", ws, q)[0][0].(float64))
}

const resA = "/subscriptions/sub-a/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs-a"
const resB = "/subscriptions/sub-b/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs-b"

// Nothing is stored unless a diagnostic setting asks for it, and settings
// are not retroactive.
func testSettingsAreNotRetroactive(t *testing.T, eng enginetest.Engine) {
	ts := startServerWith(t, eng, decode.Limits{}, true)
	if code, _ := ts.call(t, "PUT", "/v1/resources"+resA, "", map[string]string{"tenantId": "tenant-a"}); code != 200 {
		t.Fatalf("register: %d", code)
	}
	code, r := ts.ingestAs(t, "", rec(resA, "CallSummary", "before"))
	if code != 200 || r.Accepted != 0 || r.Dropped["noDiagnosticSetting"] != 1 {
		t.Fatalf("before the setting: %d %+v", code, r)
	}
	// Azure's request shape, with the ARM path of the setting.
	code, out := ts.call(t, "PUT", "/v1/resources"+resA+"/providers/Microsoft.Insights/diagnosticSettings/to-default", "",
		map[string]any{"properties": map[string]any{"workspaceId": "default", "logs": []map[string]any{{"category": "CallSummary", "enabled": true}}}})
	if code != 200 || out["name"] != "to-default" {
		t.Fatalf("put setting: %d %v", code, out)
	}
	code, r = ts.ingestAs(t, "", rec(resA, "CallSummary", "after"), rec(resA, "CallSurvey", "after"))
	if code != 200 || r.Accepted != 1 || r.Dropped["noDiagnosticSetting"] != 1 {
		t.Fatalf("after the setting: %+v", r)
	}
	if n := ts.countMarker(t, "default", "ACSCallSummary", "before"); n != 0 {
		t.Errorf("a record from before the setting appeared: %d", n)
	}
	if n := ts.countMarker(t, "default", "ACSCallSummary", "after"); n != 1 {
		t.Errorf("the record after the setting: %d", n)
	}
	if code, _ := ts.call(t, "DELETE", "/v1/resources"+resA+"/diagnosticSettings/to-default", "", nil); code != 200 {
		t.Fatalf("delete setting: %d", code)
	}
	_, r = ts.ingestAs(t, "", rec(resA, "CallSummary", "deleted"))
	if r.Accepted != 0 || ts.countMarker(t, "default", "ACSCallSummary", "deleted") != 0 {
		t.Errorf("stored after the setting was deleted: %+v", r)
	}
	resp, _ := http.Get(ts.URL + "/metrics")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `callscope_ingest_records_total{outcome="dropped",table="ACSCallSummary"} 2`) {
		t.Errorf("dropped records are not counted in /metrics")
	}
}

func testRoutingCategoriesAndWorkspaces(t *testing.T, eng enginetest.Engine) {
	ts := startServerWith(t, eng, decode.Limits{}, true)
	for _, ws := range []string{"ops", "quality"} {
		if code, _ := ts.call(t, "PUT", "/v1/workspaces/"+ws, "", nil); code != 201 {
			t.Fatalf("create %s: %d", ws, code)
		}
	}
	// The resource id URL-encoded, as a client that escapes it sends it.
	enc := "/v1/resources/" + url.PathEscape(resA)
	if code, out := ts.call(t, "PUT", enc, "", map[string]string{"tenantId": "tenant-a"}); code != 200 || out["id"] != strings.ToLower(resA) {
		t.Fatalf("register encoded: %d %v", code, out)
	}
	put := func(name, ws string, logs ...map[string]any) {
		t.Helper()
		if code, out := ts.call(t, "PUT", enc+"/diagnosticSettings/"+name, "", map[string]any{"workspaceId": ws, "logs": logs}); code != 200 {
			t.Fatalf("setting %s: %d %v", name, code, out)
		}
	}
	put("everything-to-ops", "ops", map[string]any{"categoryGroup": "allLogs", "enabled": true})
	put("diagnostics-to-quality", "quality", map[string]any{"category": "CallDiagnostics", "enabled": true})
	_, r := ts.ingestAs(t, "", rec(resA, "CallDiagnostics", "d"), rec(resA, "CallSurvey", "s"), rec(resB, "CallSurvey", "other"))
	if r.Accepted != 2 || r.Dropped["noDiagnosticSetting"] != 1 {
		t.Fatalf("ingest: %+v", r)
	}
	checks := []struct {
		ws, table, marker string
		want              int
	}{
		{"ops", "ACSCallDiagnostics", "d", 1},     // allLogs
		{"quality", "ACSCallDiagnostics", "d", 1}, // the same record in a second workspace
		{"ops", "ACSCallSurvey", "s", 1},
		{"quality", "ACSCallSurvey", "s", 0}, // not a category of that setting
		{"default", "ACSCallSurvey", "s", 0},
	}
	for _, c := range checks {
		if n := ts.countMarker(t, c.ws, c.table, c.marker); n != c.want {
			t.Errorf("%s.%s %s: %d rows, want %d", c.ws, c.table, c.marker, n, c.want)
		}
	}
	// Lists answer in Azure's shape.
	code, out := ts.call(t, "GET", "/v1/resources"+resA+"/diagnosticSettings", "", nil)
	if code != 200 || len(out["value"].([]any)) != 2 {
		t.Errorf("list settings: %d %v", code, out)
	}
	// Each workspace lists what is sent to it: ops everything, quality one
	// category, default nothing (the UI's empty states read this).
	for ws, want := range map[string]string{
		"ops":     "[map[allLogs:true resourceId:" + strings.ToLower(resA) + " setting:everything-to-ops]]",
		"quality": "[map[allLogs:false categories:[CallDiagnostics] resourceId:" + strings.ToLower(resA) + " setting:diagnostics-to-quality]]",
		"default": "[]",
	} {
		if code, out := ts.call(t, "GET", "/v1/workspaces/"+ws+"/sources", "", nil); code != 200 || fmt.Sprint(out["value"]) != want {
			t.Errorf("%s sources: %d %v, want %s", ws, code, out["value"], want)
		}
	}
	code, out = ts.call(t, "PUT", enc+"/diagnosticSettings/bad", "", map[string]any{"workspaceId": "ops", "logs": []map[string]any{{"category": "ChatOperational", "enabled": true}}})
	if code != 400 || !strings.Contains(fmt.Sprint(out), "not one callscope stores") {
		t.Errorf("unknown category: %d %v", code, out)
	}
	code, _ = ts.call(t, "PUT", "/v1/resources"+resB+"/diagnosticSettings/x", "", map[string]any{"workspaceId": "ops", "logs": []map[string]any{{"categoryGroup": "allLogs", "enabled": true}}})
	if code != 404 {
		t.Errorf("setting on an unregistered resource: %d", code)
	}
}

func testKeys(t *testing.T, eng enginetest.Engine) {
	ts := startServerWith(t, eng, decode.Limits{}, false)
	// The first admin key is made directly in the registry, as the CLI does.
	_, admin, err := ts.registry.CreateKey(workspaceNewAdmin())
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := ts.call(t, "GET", "/v1/workspaces", "", nil); code != 401 {
		t.Errorf("no key: %d", code)
	}
	if code, _ := ts.call(t, "GET", "/v1/workspaces", "cs_admin_000000000000_nope", nil); code != 401 {
		t.Errorf("bad key: %d", code)
	}
	ts.call(t, "PUT", "/v1/resources"+resA, admin, map[string]string{"tenantId": "tenant-a"})
	ts.call(t, "PUT", "/v1/resources"+resB, admin, map[string]string{"tenantId": "tenant-b"})
	for _, res := range []string{resA, resB} {
		ts.call(t, "PUT", "/v1/resources"+res+"/diagnosticSettings/all", admin, map[string]any{"workspaceId": "default", "logs": []map[string]any{{"categoryGroup": "allLogs", "enabled": true}}})
	}
	code, out := ts.call(t, "POST", "/v1/keys", admin, map[string]any{"kind": "ingest", "name": "exporter-a", "resources": []string{resA}})
	if code != 201 || out["key"] == nil {
		t.Fatalf("create ingest key: %d %v", code, out)
	}
	ingestKey, ingestID := out["key"].(string), out["id"].(string)
	_, out = ts.call(t, "POST", "/v1/keys", admin, map[string]any{"kind": "read", "workspace": "default"})
	readKey := out["key"].(string)

	// The key covers resource A, not B: B's record is rejected, not stored.
	code, r := ts.ingestAs(t, ingestKey, rec(resA, "CallSurvey", "k"), rec(resB, "CallSurvey", "k"), `{"category":"CallSurvey","properties":{"marker":"k"}}`)
	if code != 200 || r.Accepted != 1 || r.RejectedCount != 2 || !strings.Contains(r.Rejected[0].Error, "does not cover") || !strings.Contains(r.Rejected[1].Error, "names no resourceId") {
		t.Fatalf("ingest with a partial key: %d %+v", code, r)
	}
	res := ts.rows(t, readKey, "default", `ACSCallSurvey | where tostring(AdditionalFields.marker) == 'k' | count`)[0][0]
	if res != float64(1) {
		t.Errorf("%v rows stored, want the covered one", res)
	}
	if n := ts.rows(t, readKey, "default", `IngestionErrors | count`)[0][0]; n != float64(0) {
		t.Errorf("uncovered records were kept in the errors table: %v", n)
	}
	// Kinds are kept apart.
	if code, _ := ts.ingestAs(t, readKey, rec(resA, "CallSurvey", "r")); code != 403 {
		t.Errorf("ingest with a read key: %d", code)
	}
	if code, _ := ts.call(t, "GET", "/v1/keys", ingestKey, nil); code != 403 {
		t.Errorf("admin API with an ingest key: %d", code)
	}
	ts.call(t, "PUT", "/v1/workspaces/other", admin, nil)
	if code, _ := ts.call(t, "GET", "/v1/workspaces/other/sql?query=SELECT+1", readKey, nil); code != 403 {
		t.Errorf("read key on another workspace: %d", code)
	}
	// Listing never shows secrets; revoking stops a key at once.
	_, out = ts.call(t, "GET", "/v1/keys", admin, nil)
	if strings.Contains(fmt.Sprint(out), ingestKey) || strings.Contains(fmt.Sprint(out), "hash") {
		t.Errorf("key list leaks secrets: %v", out)
	}
	if code, _ := ts.call(t, "DELETE", "/v1/keys/"+ingestID, admin, nil); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	if code, _ := ts.ingestAs(t, ingestKey, rec(resA, "CallSurvey", "late")); code != 401 {
		t.Errorf("revoked key: %d", code)
	}
}

func TestWorkspaceAndRetentionAPI(t *testing.T) {
	ts := startServerWith(t, enginetest.DuckDB, decode.Limits{}, true)
	if code, _ := ts.call(t, "POST", "/v1/workspaces", "", map[string]string{"name": "Bad Name"}); code != 400 {
		t.Errorf("bad name: %d", code)
	}
	code, out := ts.call(t, "POST", "/v1/workspaces", "", map[string]string{"name": "archive"})
	if code != 201 || out["id"] == "" {
		t.Fatalf("create: %d %v", code, out)
	}
	if code, _ := ts.call(t, "POST", "/v1/workspaces", "", map[string]string{"name": "archive"}); code != 409 {
		t.Errorf("create twice: %d", code)
	}
	code, out = ts.call(t, "PUT", "/v1/workspaces/archive/tables/ACSCallSummary", "", map[string]int{"retentionInDays": 365})
	if code != 200 || out["retentionInDays"] != float64(365) {
		t.Errorf("retention: %d %v", code, out)
	}
	for _, days := range []int{0, 3651} {
		if code, _ := ts.call(t, "PUT", "/v1/workspaces/archive/tables/ACSCallSummary", "", map[string]int{"retentionInDays": days}); code != 400 {
			t.Errorf("retention %d: %d", days, code)
		}
	}
	_, out = ts.call(t, "GET", "/v1/workspaces/archive/tables/ACSCallSurvey", "", nil)
	if out["retentionInDays"] != float64(30) {
		t.Errorf("default retention: %v", out)
	}
	if code, _ := ts.call(t, "DELETE", "/v1/workspaces/default", "", nil); code != 409 {
		t.Errorf("deleting default: %d", code)
	}
	if code, _ := ts.call(t, "DELETE", "/v1/workspaces/archive", "", nil); code != 200 {
		t.Errorf("delete: %d", code)
	}
	if code, _ := ts.call(t, "GET", "/v1/workspaces/archive/sql?query=SELECT+1", "", nil); code != 404 {
		t.Errorf("query a deleted workspace: %d", code)
	}
}

// Redaction at ingestion: other tenants' users, bots and phone participants
// have their SDK and OS versions replaced in the summaries, in P2P and group
// calls alike; diagnostics rows are left as they came.
func testRedaction(t *testing.T, eng enginetest.Engine) {
	ts := startServer(t, eng, decode.Limits{})
	summary := func(call, typ, participantTenant, endpointType, marker string) string {
		return fmt.Sprintf(`{"time":"2026-05-01T10:00:00Z","resourceId":%q,"category":"CallSummaryUpdates","correlationId":%q,
			"properties":{"callType":%q,"participantTenantId":%q,"endpointType":%q,"sdkVersion":"1.32.1.0_stable","osVersion":"Windows 10","callUpdatesVersion":1,"marker":%q}}`,
			testResource, call, typ, participantTenant, endpointType, marker)
	}
	_, r := ts.ingestAs(t, "",
		summary("p2p", "P2P", "tenant-1", "VoIP", "same"),
		summary("p2p", "P2P", "TENANT-2", "VoIP", "other"),
		summary("grp", "Group", "tenant-1", "VoIP", "g-same"),
		summary("grp", "Group", "tenant-9", "VoIP", "g-other"),
		summary("grp", "Group", "", "Bot", "g-bot"),
		summary("grp", "Group", "tenant-1", "PSTN", "g-pstn"),
		fmt.Sprintf(`{"resourceId":%q,"category":"CallDiagnostics","correlationId":"grp","properties":{"endpointType":"Bot","marker":"diag"}}`, testResource),
	)
	if r.Accepted != 7 {
		t.Fatalf("ingest: %+v", r)
	}
	want := map[string]string{"same": "1.32.1.0_stable", "other": "Redacted", "g-same": "1.32.1.0_stable", "g-other": "Redacted", "g-bot": "Redacted", "g-pstn": "Redacted"}
	for marker, sdk := range want {
		got := ts.rows(t, "", workspace.DefaultName,
			fmt.Sprintf(`ACSCallSummaryUpdates | where tostring(AdditionalFields.marker) == %q | project SdkVersion, OsVersion`, marker))[0]
		os := "Windows 10"
		if sdk == "Redacted" {
			os = "Redacted"
		}
		if got[0] != sdk || got[1] != os {
			t.Errorf("%s: SdkVersion %v OsVersion %v, want %s %s", marker, got[0], got[1], sdk, os)
		}
	}
}

func workspaceNewAdmin() workspace.NewKey {
	return workspace.NewKey{Kind: workspace.AdminKey, Name: "test"}
}
