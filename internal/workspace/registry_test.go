package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	res1 = "/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/ACS1"
	res2 = "subscriptions/s2/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs2/"
)

func openRegistry(t *testing.T, dir string) *Registry {
	t.Helper()
	b, err := OpenFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func names(ws []*Workspace) string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Name)
	}
	return strings.Join(out, ",")
}

func TestDefaultWorkspaceAndPersistence(t *testing.T) {
	dir := t.TempDir()
	r := openRegistry(t, dir)
	def, err := r.Workspace(DefaultName)
	if err != nil || def.ID == "" {
		t.Fatalf("default workspace: %v", err)
	}
	ops, _ := r.CreateWorkspace("ops")
	r.RegisterResource(res1, "TENANT-A")
	r.PutSetting(res1, "to-ops", "ops", []LogSetting{{CategoryGroup: "ALLLOGS", Enabled: true}})
	_, secret, _ := r.CreateKey(NewKey{Kind: IngestKey, Resources: []string{res1}})
	r.SetRetention("ops", "ACSCallSummary", 90)
	r.Close()

	r = openRegistry(t, dir)
	if w, _ := r.Workspace(DefaultName); w.ID != def.ID {
		t.Errorf("default workspace id changed: %s → %s", def.ID, w.ID)
	}
	w, err := r.Workspace("ops")
	if err != nil || w.ID != ops.ID || w.Retention("ACSCallSummary") != 90 || w.Retention("ACSCallSurvey") != DefaultRetentionDays {
		t.Errorf("ops after reopening: %+v %v", w, err)
	}
	if tenant, ok := r.TenantOf(strings.ToLower(res1)); !ok || tenant != "tenant-a" {
		t.Errorf("tenant %q %v", tenant, ok)
	}
	if got := names(r.Route("/subscriptions/s1/resourcegroups/rg/providers/microsoft.communication/communicationservices/acs1", "CallSurvey")); got != "ops" {
		t.Errorf("route after reopening: %q", got)
	}
	if _, err := r.Authenticate(secret); err != nil {
		t.Errorf("key after reopening: %v", err)
	}
}

func TestRouting(t *testing.T) {
	r := openRegistry(t, t.TempDir())
	r.CreateWorkspace("a")
	r.CreateWorkspace("b")
	if _, err := r.PutSetting(res1, "s", "a", []LogSetting{{Category: "CallSummary", Enabled: true}}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("setting on an unregistered resource: %v", err)
	}
	r.RegisterResource(res1, "t1")
	r.RegisterResource(res2, "t2")
	id1, id2 := "/subscriptions/s1/resourcegroups/rg/providers/microsoft.communication/communicationservices/acs1",
		"/subscriptions/s2/resourcegroups/rg/providers/microsoft.communication/communicationservices/acs2"

	must := func(_ Setting, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.PutSetting(res1, "summaries", "a", []LogSetting{{Category: "callsummary", Enabled: true}, {Category: "CallDiagnostics", Enabled: false}}))
	must(r.PutSetting(res1, "everything", "/subscriptions/x/resourcegroups/y/providers/microsoft.operationalinsights/workspaces/b", []LogSetting{{CategoryGroup: AllLogs, Enabled: true}}))
	must(r.PutSetting(res1, "summaries-too", "b", []LogSetting{{Category: "CallSummary", Enabled: true}}))
	cases := []struct{ res, cat, want string }{
		{id1, "CallSummary", "a,b"},    // two settings, two workspaces; b only once
		{id1, "CallDiagnostics", "b"},  // disabled in the first setting, allLogs in the second
		{id1, "CallingMetrics", "b"},   // allLogs covers every category
		{id2, "CallSummary", ""},       // no setting on this resource
		{"/subscriptions/zz", "X", ""}, // unknown resource
	}
	for _, c := range cases {
		if got := names(r.Route(c.res, c.cat)); got != c.want {
			t.Errorf("Route(%s, %s) = %q, want %q", c.res, c.cat, got, c.want)
		}
	}
	if err := r.DeleteSetting(res1, "everything"); err != nil {
		t.Fatal(err)
	}
	if got := names(r.Route(id1, "CallDiagnostics")); got != "" {
		t.Errorf("after deleting the allLogs setting: %q", got)
	}
	// Replacing a setting does not count against the limit of five.
	for i := range 3 {
		must(r.PutSetting(res1, "extra"+string(rune('0'+i)), "a", []LogSetting{{Category: "CallSurvey", Enabled: true}}))
	}
	must(r.PutSetting(res1, "extra0", "b", []LogSetting{{Category: "CallSurvey", Enabled: true}}))
	if _, err := r.PutSetting(res1, "sixth", "a", []LogSetting{{Category: "CallSurvey", Enabled: true}}); !errors.Is(err, ErrConflict) {
		t.Errorf("sixth setting: %v", err)
	}
	// Deleting a workspace removes the settings that route to it.
	if _, err := r.DeleteWorkspace("b"); err != nil {
		t.Fatal(err)
	}
	if got := names(r.Route(id1, "CallSummary")); got != "a" {
		t.Errorf("after deleting workspace b: %q", got)
	}
	if _, err := r.DeleteWorkspace(DefaultName); !errors.Is(err, ErrConflict) {
		t.Errorf("deleting default: %v", err)
	}
	// Deleting a resource removes its settings.
	r.DeleteResource(res1)
	if got := names(r.Route(id1, "CallSummary")); got != "" || len(r.Settings("")) != 0 {
		t.Errorf("after deleting the resource: %q, %d settings", got, len(r.Settings("")))
	}
}

func TestSettingValidation(t *testing.T) {
	r := openRegistry(t, t.TempDir())
	r.RegisterResource(res1, "t1")
	cases := map[string][]LogSetting{
		"needs logs":                 nil,
		"not one callscope stores":   {{Category: "ChatOperational", Enabled: true}},
		"is not supported":           {{CategoryGroup: "audit", Enabled: true}},
		"cannot also list":           {{CategoryGroup: AllLogs, Enabled: true}, {Category: "CallSummary", Enabled: true}},
		"not both":                   {{Category: "CallSummary", CategoryGroup: AllLogs, Enabled: true}},
		"listed twice":               {{Category: "CallSummary", Enabled: true}, {Category: "callsummary", Enabled: false}},
		"must name a category or a ": {{Enabled: true}},
	}
	for want, logs := range cases {
		_, err := r.PutSetting(res1, "s", DefaultName, logs)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: %v, want %q", logs, err, want)
		}
	}
	if _, err := r.PutSetting(res1, "bad/name", DefaultName, []LogSetting{{CategoryGroup: AllLogs, Enabled: true}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad name: %v", err)
	}
	if _, err := r.PutSetting(res1, "s", "nope", []LogSetting{{CategoryGroup: AllLogs, Enabled: true}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown workspace: %v", err)
	}
	if _, err := r.RegisterResource("acs1", "t"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad resource id: %v", err)
	}
	if _, err := r.SetRetention(DefaultName, "ACSCallSummary", 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("retention 0: %v", err)
	}
	if _, err := r.SetRetention(DefaultName, "NoSuchTable", 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown table: %v", err)
	}
}

func TestKeys(t *testing.T) {
	r := openRegistry(t, t.TempDir())
	r.CreateWorkspace("ops")
	if r.HasKeys() {
		t.Fatal("a fresh registry has keys")
	}
	ingest, secret, err := r.CreateKey(NewKey{Kind: IngestKey, Name: "exporter", Resources: []string{res1, res2}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "cs_ingest_") || strings.Contains(ingest.Hash, secret) || len(secret) < 50 {
		t.Errorf("key %q, hash %q", secret, ingest.Hash)
	}
	k, err := r.Authenticate(secret)
	if err != nil || k.ID != ingest.ID {
		t.Fatalf("authenticate: %v", err)
	}
	if !k.Covers(strings.ToLower(res1)) || !k.Covers("/SUBSCRIPTIONS/S2/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/ACS2") || k.Covers("/subscriptions/s3/x") || k.CanRead("anything") {
		t.Error("ingest key coverage is wrong")
	}
	for _, bad := range []string{"", "cs_ingest_", secret + "x", strings.Replace(secret, "ingest", "admin", 1), "Bearer " + secret} {
		if _, err := r.Authenticate(bad); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("Authenticate(%q) = %v", bad, err)
		}
	}
	ops, _ := r.Workspace("ops")
	_, readSecret, _ := r.CreateKey(NewKey{Kind: ReadKey, Workspace: "ops"})
	rk, _ := r.Authenticate(readSecret)
	if !rk.CanRead(ops.ID) || rk.Covers(res1) {
		t.Error("read key rights are wrong")
	}
	_, adminSecret, _ := r.CreateKey(NewKey{Kind: AdminKey})
	ak, _ := r.Authenticate(adminSecret)
	if !ak.CanRead(ops.ID) || !ak.Covers(res1) {
		t.Error("admin key rights are wrong")
	}
	if _, err := r.RevokeKey(ingest.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Authenticate(secret); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("revoked key still works: %v", err)
	}
	for _, nk := range []NewKey{{Kind: IngestKey}, {Kind: ReadKey}, {Kind: AdminKey, Workspace: "ops"}, {Kind: "root"}} {
		if _, _, err := r.CreateKey(nk); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateKey(%+v): %v", nk, err)
		}
	}
	// Deleting a workspace revokes its read keys with it.
	r.DeleteWorkspace("ops")
	if _, err := r.Authenticate(readSecret); err == nil {
		t.Error("read key of a deleted workspace still works")
	}
	if !r.HasKeys() {
		t.Error("the admin key is live")
	}
}

func TestOneProcessAtATime(t *testing.T) {
	dir := t.TempDir()
	openRegistry(t, dir)
	if _, err := OpenFile(dir); !errors.Is(err, ErrLocked) {
		t.Errorf("second open: %v", err)
	}
}

// A failed save changes nothing: the in-memory state follows the disk.
func TestFailedSaveChangesNothing(t *testing.T) {
	dir := t.TempDir()
	r := openRegistry(t, dir)
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o755)
	if os.Getuid() == 0 {
		// root writes anyway; make the target a directory instead
		os.Chmod(dir, 0o755)
		os.Mkdir(filepath.Join(dir, metadataFile+".tmp"), 0o755)
		os.WriteFile(filepath.Join(dir, metadataFile+".tmp", "x"), nil, 0o644)
	}
	if _, err := r.CreateWorkspace("never"); err == nil {
		t.Fatal("save should have failed")
	}
	if _, err := r.Workspace("never"); !errors.Is(err, ErrNotFound) {
		t.Errorf("workspace exists after a failed save: %v", err)
	}
}
