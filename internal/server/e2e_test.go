package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/ingest"
	"github.com/callscope/callscope/internal/query"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/simulate"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/store/enginetest"
	"github.com/callscope/callscope/internal/workspace"
)

// The simulator's records, posted over HTTP, land in the store: as many
// rows per table as the simulator reports, with every property of sampled
// records stored under its column, converted to the column's type.
func testSimulatorThroughHTTP(t *testing.T, eng enginetest.Engine) {
	ts := startServer(t, eng, decode.Limits{})
	for _, res := range simulate.DefaultResources() {
		ts.routeAll(t, res.ID, res.TenantID, workspace.DefaultName)
	}
	from := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	var recs [][]byte
	poster := simulate.NewPoster(ts.URL+"/v1/ingest", "")
	counts, err := simulate.Generate(simulate.Options{Seed: 42, Calls: 40, From: from, To: from.Add(6 * time.Hour), Finals: true},
		func(r simulate.Record) error {
			recs = append(recs, r.JSON)
			return poster.Write(r)
		})
	if err != nil {
		t.Fatal(err)
	}
	if err := poster.Flush(); err != nil {
		t.Fatal(err)
	}
	res := poster.Result()
	if res.Rejected != 0 || res.Accepted != counts.Total() {
		t.Fatalf("server accepted %d and rejected %d of %d records: %v", res.Accepted, res.Rejected, counts.Total(), res.Errors)
	}
	for cat, n := range counts {
		tbl := schema.ByCategory(cat)
		if tbl == nil {
			t.Fatalf("simulator category %q has no table", cat)
		}
		if got := ts.count(t, tbl.Name); got != n {
			t.Errorf("%s: %d rows, simulator reports %d records", tbl.Name, got, n)
		}
	}
	// Every category must be present for the check to mean something.
	if len(counts) < len(simulate.Categories()) {
		t.Errorf("simulator produced only %d categories: %v", len(counts), counts)
	}

	checked := map[string]int{}
	for i := 0; i < len(recs); i += max(1, len(recs)/400) {
		cat := ts.assertStored(t, ts.defaultWS(t), recs[i], ts.registry.TenantOf)
		checked[cat]++
	}
	// Sample the rare categories too.
	for _, r := range recs {
		var head struct{ Category, Type string }
		json.Unmarshal(r, &head)
		if head.Category == "" {
			if tbl := schema.ByNameFold(head.Type); tbl != nil {
				head.Category = tbl.Category // a flat record names its table
			}
		}
		if checked[head.Category] < 3 {
			checked[ts.assertStored(t, ts.defaultWS(t), r, ts.registry.TenantOf)]++
		}
	}
	t.Logf("checked the values of %v sampled records", checked)
	ts.assertAppEvents(t, recs)
}

// assertAppEvents checks the apps' survey events, which the simulator
// writes flat, as Application Insights exports do, with a Properties
// object that is a column and not an envelope: every one is stored once,
// with its Name, its Properties as JSON equal to what was sent, its time
// (as precise as the engine keeps times) and its resource, nothing left over in AdditionalFields; and each joins
// the survey of the same run on SurveyId, as the survey tutorial's query
// does.
func (ts *testServer) assertAppEvents(t *testing.T, recs [][]byte) {
	t.Helper()
	type event struct {
		props    map[string]any
		at       time.Time
		resource string
	}
	sent := map[string]event{}
	for _, raw := range recs {
		var rec struct {
			Type       string
			Time       string `json:"time"`
			ResourceID string `json:"resourceId"`
			Name       string
			Properties map[string]any
		}
		if err := json.Unmarshal(raw, &rec); err != nil || rec.Type != schema.AppEventsTable {
			continue
		}
		at, err := decode.ParseTime([]byte(rec.Time))
		id, _ := rec.Properties["id"].(string)
		if err != nil || id == "" || rec.Name != "CallSurvey" {
			t.Fatalf("simulated event %s", raw)
		}
		sent[id] = event{rec.Properties, at.Truncate(ts.engine.Precision), schema.NormalizeResourceID(rec.ResourceID)}
	}
	if len(sent) == 0 {
		t.Fatal("the simulator sent no AppEvents records")
	}
	rows := ts.rows(t, "", workspace.DefaultName, `AppEvents | project Name, Properties, TimeGenerated, _ResourceId, AdditionalFields`)
	if len(rows) != len(sent) {
		t.Errorf("%d AppEvents rows for %d events sent", len(rows), len(sent))
	}
	stored := map[string]bool{}
	for _, row := range rows {
		text, _ := row[1].(string)
		var props map[string]any
		if err := json.Unmarshal([]byte(text), &props); err != nil {
			t.Fatalf("Properties %q is not a JSON object: %v", text, err)
		}
		id, _ := props["id"].(string)
		ev, ok := sent[id]
		if !ok || stored[id] {
			t.Fatalf("row %v: Properties.id %q was not sent once", row, id)
		}
		stored[id] = true
		text, _ = row[2].(string)
		at, _ := time.Parse(time.RFC3339Nano, text)
		if row[0] != "CallSurvey" || !reflect.DeepEqual(props, ev.props) || !at.Equal(ev.at) || row[3] != ev.resource || row[4] != nil {
			t.Errorf("row %v, sent %+v", row, ev)
		}
	}
	joined := ts.rows(t, "", workspace.DefaultName, `AppEvents
		| where Name == 'CallSurvey'
		| extend id = tostring(Properties.id)
		| join kind=inner (ACSCallSurvey | project SurveyId) on $left.id == $right.SurveyId
		| count`)
	if n := joined[0][0]; n != float64(len(sent)) {
		t.Errorf("%d of %d events join a survey on SurveyId", n, len(sent))
	}
}

// The published doc samples of ../shared/schemas ingest into the right
// tables with the right values.
func testDocSamples(t *testing.T, eng enginetest.Engine) {
	files, _ := filepath.Glob("../../../shared/schemas/*.json")
	if len(files) == 0 {
		t.Skip("../shared/schemas is not here")
	}
	// Several samples name no resource, so no diagnostic setting could route
	// them: they go through the path of an explicit import.
	ts := startServerWith(t, eng, decode.Limits{}, true)
	ws := ts.defaultWS(t)
	in := ingest.New(decode.Limits{}, nil)
	target := ingest.Target{Source: "doc samples", Errors: ws, Route: func(*schema.Table, string) []store.Workspace { return []store.Workspace{ws} }}
	n := 0
	for _, f := range files {
		var doc struct {
			Table   string `json:"table"`
			Samples []struct {
				Name      string          `json:"name"`
				Record    json.RawMessage `json:"record"`
				Envelope  json.RawMessage `json:"assembledEnvelope"`
				Truncated bool
			} `json:"samples"`
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, s := range doc.Samples {
			// The summary and diagnostics samples show their properties
			// alone; the envelope assembled around them is the record an
			// export would carry.
			raw := s.Record
			if len(s.Envelope) > 0 {
				raw = s.Envelope
			}
			var records []json.RawMessage
			if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
				if err := json.Unmarshal(raw, &records); err != nil {
					t.Fatal(err)
				}
			} else {
				records = []json.RawMessage{raw}
			}
			for _, r := range records {
				sum, err := in.Body(context.Background(), bytes.NewReader(r), target)
				if err != nil || sum.AcceptedTotal() != 1 {
					t.Errorf("%s %q: %v %+v", doc.Table, s.Name, err, sum)
					continue
				}
				if cat := ts.assertStored(t, ws, r, nil); schema.ByCategory(cat).Name != doc.Table {
					t.Errorf("%s %q went to %s", doc.Table, s.Name, schema.ByCategory(cat).Name)
				}
				n++
			}
		}
	}
	t.Logf("%d doc samples stored and checked", n)
}

// assertStored checks that a row exists in the record's table whose columns
// hold every property of the record, converted to the column types. It
// returns the category the record was stored under.
func (ts *testServer) assertStored(t *testing.T, ws store.Workspace, raw []byte, tenants ingest.TenantOf) string {
	t.Helper()
	var rec map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&rec); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	// A flat record (its table named by Type, no category) has no envelope:
	// a Properties member is AppEvents' column of that name.
	flat := false
	for k, v := range rec {
		if strings.EqualFold(k, "type") {
			s, _ := v.(string)
			flat = schema.ByNameFold(s) != nil
		}
	}
	for k := range rec {
		flat = flat && !strings.EqualFold(k, "category")
	}
	props := map[string]any{}
	for k, v := range rec {
		if strings.EqualFold(k, "properties") && !flat {
			if m, ok := v.(map[string]any); ok {
				for pk, pv := range m {
					props[pk] = pv
				}
				continue
			}
		}
		props[k] = v
	}
	tbl := tableOfRecord(props)
	if tbl == nil {
		t.Fatalf("no table for %s", raw)
	}

	// The summaries of bots, phone participants and other tenants' users
	// are stored with their versions redacted.
	redacted := false
	if tbl.Name == schema.SummaryTable || tbl.Name == schema.SummaryUpdatesTable {
		get := func(name string) string {
			for k, v := range props {
				if strings.EqualFold(k, name) {
					s, _ := v.(string)
					return s
				}
			}
			return ""
		}
		ep := strings.ToLower(get("endpointType"))
		owner, known := "", false
		if tenants != nil {
			owner, known = tenants(schema.NormalizeResourceID(get("resourceId")))
		}
		pt := get("participantTenantId")
		redacted = ep == "bot" || ep == "pstn" || (pt != "" && known && !strings.EqualFold(pt, owner))
	}

	// The test is a KQL query with the values as its parameters, so that
	// every engine reads it alike.
	var where, decls []string
	params := map[string]string{}
	for k, v := range props {
		i, ok := tbl.Field([]byte(k))
		if !ok || tbl.Columns[i].Derived != schema.Stored || strings.EqualFold(k, "category") || strings.EqualFold(k, "type") {
			continue
		}
		c := tbl.Columns[i]
		if redacted && (c.Name == schema.SdkVersion || c.Name == schema.OsVersion) {
			v = ingest.Redacted
		}
		name := fmt.Sprintf("p%d", len(decls))
		if p, ok := predicate(c, v, name, ts.engine.Precision); ok {
			where = append(where, p.expr)
			if p.typ != "" {
				decls = append(decls, name+":"+p.typ)
				params[name] = p.value
			}
		}
	}
	q := fmt.Sprintf("%s | where %s | count", tbl.Name, strings.Join(where, " and "))
	if len(decls) > 0 {
		q = "declare query_parameters(" + strings.Join(decls, ", ") + ");\n" + q
	}
	res, err := query.Run(context.Background(), ws, ts.store.Engine(), query.Request{Query: q, Parameters: params})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if res.Rows[0][0].(int64) < 1 {
		t.Errorf("no row of %s holds the values of %s\n(query: %s, parameters: %v)", tbl.Name, raw, q, params)
	}
	return tbl.Category
}

// tableOfRecord finds the table of a flattened record as ingestion does,
// including the updates whose samples carry the final category.
func tableOfRecord(props map[string]any) *schema.Table {
	var tbl *schema.Table
	versioned := false
	for k, v := range props {
		s, _ := v.(string)
		switch strings.ToLower(k) {
		case "category", "type":
			if x := schema.ByCategory(s); x != nil && tbl == nil {
				tbl = x
			} else if x := schema.ByNameFold(s); x != nil && tbl == nil {
				tbl = x
			}
		case "callupdatesversion":
			versioned = v != nil
		}
	}
	if tbl != nil && tbl.Updates != "" && versioned {
		tbl = schema.ByName(tbl.Updates)
	}
	return tbl
}

// columnTest is a KQL test of one column, and the type and value of the
// query parameter it reads (none when typ is "").
type columnTest struct {
	expr, typ, value string
}

// predicate renders "column equals the converted value" in KQL, the value
// as the parameter name, or says the value is not comparable this way
// (objects, dynamic values). KQL has no missing strings, only empty ones:
// a string sent as null is stored as null and reads as "". Times are
// compared as the engine keeps them (see enginetest.Engine.Precision).
func predicate(c schema.Column, v any, name string, precision time.Duration) (columnTest, bool) {
	text, isString := v.(string)
	if v == nil || (isString && text == "null") {
		if c.Type == schema.String {
			return columnTest{expr: "isempty(" + c.Name + ")"}, true
		}
		return columnTest{expr: "isnull(" + c.Name + ")"}, true
	}
	equals := func(typ, value string) (columnTest, bool) {
		return columnTest{c.Name + " == " + name, typ, value}, true
	}
	var num string
	switch x := v.(type) {
	case json.Number:
		num = x.String()
	case string:
		num = strings.TrimSpace(x)
	}
	switch c.Type {
	case schema.String:
		switch x := v.(type) {
		case string:
			if c.Name == schema.ResourceID {
				x = strings.ToLower(x)
				if !strings.HasPrefix(x, "/") {
					x = "/" + x
				}
			}
			return equals("string", x)
		case json.Number:
			return equals("string", x.String())
		case bool:
			return equals("string", strconv.FormatBool(x))
		}
	case schema.Long, schema.Int:
		f, err := strconv.ParseFloat(num, 64)
		if err == nil {
			return equals("long", strconv.FormatInt(int64(f), 10))
		}
	case schema.Real:
		f, err := strconv.ParseFloat(num, 64)
		if err == nil {
			return equals("real", strconv.FormatFloat(f, 'g', -1, 64))
		}
	case schema.Bool:
		switch x := v.(type) {
		case bool:
			return equals("bool", strconv.FormatBool(x))
		case string:
			b, err := strconv.ParseBool(x)
			if err == nil {
				return equals("bool", strconv.FormatBool(b))
			}
		}
	case schema.DateTime:
		tm, err := decode.ParseTime([]byte(text))
		if err == nil {
			return equals("datetime", tm.Truncate(precision).Format(time.RFC3339Nano))
		}
	}
	return columnTest{}, false
}
