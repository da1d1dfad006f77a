package simulate

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/schema"
)

func digest(t *testing.T, opts Options) [32]byte {
	t.Helper()
	h := sha256.New()
	_, err := Generate(opts, func(r Record) error {
		h.Write(r.JSON)
		h.Write([]byte(r.Time.Format(time.RFC3339Nano) + r.Category + r.Resource + "\n"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var d [32]byte
	copy(d[:], h.Sum(nil))
	return d
}

func TestSameSeedSameBytes(t *testing.T) {
	opts := Options{Seed: 7, Calls: 40, Finals: true, From: testStart, To: testStart.Add(6 * time.Hour)}
	a, b := digest(t, opts), digest(t, opts)
	if a != b {
		t.Fatal("two runs with the same options differ")
	}
	opts.Seed = 8
	if digest(t, opts) == a {
		t.Fatal("a different seed produced the same records")
	}
}

func TestCountsEqualRecordsEmitted(t *testing.T) {
	recs, counts := generate(t, Options{Seed: 3, Calls: 60, Finals: true})
	seen := Counts{}
	for _, r := range recs {
		seen[r.Category]++
	}
	if counts.Total() != len(recs) {
		t.Fatalf("Total() = %d, emitted %d", counts.Total(), len(recs))
	}
	for k, v := range seen {
		if counts[k] != v {
			t.Errorf("%s: counted %d, emitted %d", k, counts[k], v)
		}
	}
	for _, cat := range Categories() {
		if seen[cat] == 0 {
			t.Errorf("no %s records in 60 calls", cat)
		}
	}
	if seen["CallingMetrics"] != 0 {
		t.Error("CallingMetrics must not be generated")
	}
}

func TestEmitErrorStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := Generate(Options{Seed: 1, Calls: 10}, func(Record) error {
		n++
		if n == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 5 {
		t.Fatalf("err = %v after %d records", err, n)
	}
}

func TestBadOptions(t *testing.T) {
	if _, err := Generate(Options{Calls: 1, From: testStart, To: testStart}, func(Record) error { return nil }); err == nil {
		t.Error("an empty window was accepted")
	}
	if _, err := Generate(Options{Calls: 1, Resources: []Resource{{ID: "not/a/resource", TenantID: "x"}}}, func(Record) error { return nil }); err == nil {
		t.Error("a malformed resource id was accepted")
	}
	if _, err := Generate(Options{Calls: 1, Resources: []Resource{}}, func(Record) error { return nil }); err == nil {
		t.Error("an empty resource list was accepted")
	}
}

// TestRecordShape checks every record against the export shape and the
// schema: envelope members, time format, and that each property lands in a
// column of its table with a value that column can take.
func TestRecordShape(t *testing.T) {
	t.Parallel()
	opts := Options{Seed: 11, Calls: 100, Finals: true, From: testStart, To: testStart.Add(24 * time.Hour)}
	recs, _ := generate(t, opts)
	resources := map[string]bool{}
	for _, r := range DefaultResources() {
		resources[r.ID] = true
	}
	envelope := map[string]bool{"time": true, "resourceId": true, "operationName": true,
		"operationVersion": true, "category": true, "correlationId": true, "properties": true}
	var prev time.Time
	var prevCall string
	for i, r := range recs {
		if !json.Valid(r.JSON) {
			t.Fatalf("record %d is not valid JSON: %s", i, r.JSON)
		}
		if bytes.ContainsAny(r.JSON, "\n\r") {
			t.Fatalf("record %d spans lines", i)
		}
		p := parse(t, r)
		tab := schema.ByCategory(r.Category)
		if tab == nil {
			t.Fatalf("record %d: category %q has no table", i, r.Category)
		}
		// The apps' custom events come from the Application Insights
		// resource in the flat shape of its exports: time and resourceId,
		// then the table's columns, Type naming the table; all others in
		// the resource-log shape.
		flat := r.Category == catAppEvents
		timeLayout := "2006-01-02T15:04:05.000Z"
		if flat {
			timeLayout = "2006-01-02T15:04:05.0000000Z"
			if p.top["Type"] != tab.Name || !(Resource{ID: r.Resource}).AppInsights() {
				t.Fatalf("record %d: Type %v of %s, want %s of an Application Insights resource", i, p.top["Type"], r.Resource, tab.Name)
			}
			for _, k := range []string{"category", "properties"} {
				if _, ok := p.top[k]; ok {
					t.Fatalf("record %d: a flat record has a member %q", i, k)
				}
			}
		} else {
			for k := range p.top {
				if !envelope[k] {
					t.Fatalf("record %d: unexpected top-level member %q", i, k)
				}
			}
			if p.top["category"] != r.Category {
				t.Fatalf("record %d: category %v, Record.Category %q", i, p.top["category"], r.Category)
			}
			if op, _ := p.top["operationName"].(string); op == "" {
				t.Fatalf("record %d has no operationName", i)
			}
			if (Resource{ID: r.Resource}).AppInsights() {
				t.Fatalf("record %d: %s from the Application Insights resource", i, r.Category)
			}
		}
		ts, _ := p.top["time"].(string)
		if len(ts) != len(timeLayout) || !strings.HasSuffix(ts, "Z") {
			t.Fatalf("record %d: time %q is not RFC 3339 UTC like %s", i, ts, timeLayout)
		}
		tt, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil || !tt.Equal(r.Time) {
			t.Fatalf("record %d: time %q, Record.Time %v (%v)", i, ts, r.Time, err)
		}
		if p.top["resourceId"] != r.Resource || !resources[r.Resource] {
			t.Fatalf("record %d: resourceId %v, Record.Resource %q", i, p.top["resourceId"], r.Resource)
		}
		// Envelope members other than time, category and properties must
		// have a column too, or they would end up among the extras.
		for _, k := range []string{"resourceId", "operationName", "operationVersion", "correlationId"} {
			if _, ok := p.top[k]; ok {
				if _, ok := tab.Field([]byte(k)); !ok {
					t.Fatalf("record %d: envelope member %q has no column in %s", i, k, tab.Name)
				}
			}
		}
		if p.props == nil {
			t.Fatalf("record %d has no properties object", i)
		}
		for k, v := range p.props {
			col, ok := tab.Field([]byte(k))
			if !ok {
				t.Fatalf("record %d: property %q is not a column of %s", i, k, tab.Name)
			}
			checkConvertible(t, i, tab.Columns[col], v)
		}
		// Records of one call come together and in time order.
		call := callOf(p, r.Category)
		if call == prevCall && r.Time.Before(prev) {
			t.Fatalf("record %d goes back in time within its call", i)
		}
		prev, prevCall = r.Time, call
	}
}

func callOf(p parsed, cat string) string {
	switch cat {
	case catClientOps, catMediaStats, catSurvey:
		if id := p.str("CallId"); id != "" {
			return id
		}
	}
	if s, _ := p.top["correlationId"].(string); s != "" {
		return s
	}
	return ""
}

// checkConvertible fails when a value could not be stored in its column.
func checkConvertible(t *testing.T, i int, col schema.Column, v any) {
	t.Helper()
	bad := func() { t.Fatalf("record %d: %s (%v) cannot take %#v", i, col.Name, col.Type, v) }
	if v == nil {
		return
	}
	if s, ok := v.(string); ok && s == "null" {
		return
	}
	switch col.Type {
	case schema.String:
		if _, ok := v.(string); !ok {
			bad()
		}
	case schema.Int, schema.Long:
		var text string
		switch x := v.(type) {
		case json.Number:
			text = x.String()
		case string:
			text = x
		default:
			bad()
		}
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			bad()
		}
	case schema.Real:
		var text string
		switch x := v.(type) {
		case json.Number:
			text = x.String()
		case string:
			text = x
		default:
			bad()
		}
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			bad()
		}
	case schema.DateTime:
		s, ok := v.(string)
		if !ok {
			bad()
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			bad()
		}
	case schema.Bool:
		if _, ok := v.(bool); !ok {
			bad()
		}
	case schema.Dynamic:
		switch x := v.(type) {
		case map[string]any, []any:
		case string:
			if !json.Valid([]byte(x)) {
				bad()
			}
		default:
			bad()
		}
	}
}

func TestDefaultResources(t *testing.T) {
	rs := DefaultResources()
	tenants, subs := map[string]bool{}, map[string]bool{}
	var acs, insights []Resource
	for _, r := range rs {
		tenants[r.TenantID] = true
		sub, _, name, err := resourceParts(r.ID)
		if err != nil || !strings.EqualFold(sub, r.SubscriptionID) || name != r.Name {
			t.Errorf("%+v: parts %s %s %v", r, sub, name, err)
		}
		if !strings.HasPrefix(r.ID, "/SUBSCRIPTIONS/") || r.ID != strings.ToUpper(r.ID) {
			t.Errorf("%s is not in the export form", r.ID)
		}
		if r.AppInsights() {
			insights = append(insights, r)
			if !strings.Contains(r.ID, "/PROVIDERS/MICROSOFT.INSIGHTS/COMPONENTS/") {
				t.Errorf("%s is not a microsoft.insights/components id", r.ID)
			}
			continue
		}
		acs = append(acs, r)
		subs[r.SubscriptionID] = true
		if !strings.Contains(r.ID, "/PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/") {
			t.Errorf("%s is not a microsoft.communication/communicationservices id", r.ID)
		}
	}
	// Each ACS resource in its own subscription; the Application Insights
	// resource next to an ACS resource of its tenant, in the same
	// subscription and resource group.
	if len(acs) < 3 || len(tenants) < 2 || len(subs) < len(acs) || len(insights) != 1 {
		t.Fatalf("%d ACS resources, %d Application Insights, %d tenants, %d subscriptions", len(acs), len(insights), len(tenants), len(subs))
	}
	aiSub, aiRG, _, _ := resourceParts(insights[0].ID)
	neighbour := false
	for _, r := range acs {
		sub, rg, _, _ := resourceParts(r.ID)
		neighbour = neighbour || sub == aiSub && rg == aiRG && r.TenantID == insights[0].TenantID
	}
	if !neighbour {
		t.Errorf("%s sits next to no ACS resource of its tenant", insights[0].ID)
	}
}

func TestCustomResources(t *testing.T) {
	res := []Resource{NewResource("11111111-2222-3333-4444-555555555555", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "rg-one", "solo")}
	recs, _ := generate(t, Options{Seed: 5, Calls: 20, Resources: res})
	for _, r := range recs {
		if r.Resource != res[0].ID {
			t.Fatalf("record for %s, want %s", r.Resource, res[0].ID)
		}
	}
}

func TestCallStartsFollowWindowAndDay(t *testing.T) {
	r := newRNG(1, 2)
	from := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC) // a Monday
	starts := callStarts(&r, 20000, from, from.Add(7*24*time.Hour))
	var byHour [24]int
	weekend := 0
	for i, s := range starts {
		if s.Before(from) || !s.Before(from.Add(7*24*time.Hour)) {
			t.Fatalf("start %v outside the window", s)
		}
		if i > 0 && s.Before(starts[i-1]) {
			t.Fatal("starts are not sorted")
		}
		byHour[s.Hour()]++
		if s.Weekday() == time.Saturday || s.Weekday() == time.Sunday {
			weekend++
		}
	}
	if byHour[15] < 4*byHour[3] {
		t.Errorf("afternoon %d vs night %d: no daily pattern", byHour[15], byHour[3])
	}
	if f := float64(weekend) / 20000; f > 0.2 {
		t.Errorf("weekend share %.2f: no weekly pattern", f)
	}
}

// Omitted categories are not written, and the others come out exactly as
// in a full run, even when the media series are not computed at all.
func TestGenerateOmit(t *testing.T) {
	opts := Options{Seed: 3, Calls: 20, Finals: true}
	var full []Record
	all, err := Generate(opts, func(r Record) error { full = append(full, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	opts.Omit = []string{catMediaStats, "AppEvents"}
	var some []Record
	counts, err := Generate(opts, func(r Record) error { some = append(some, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if counts[catMediaStats] != 0 || counts["AppEvents"] != 0 || all[catMediaStats] == 0 {
		t.Fatalf("counts %v (full run %v)", counts, all)
	}
	var kept []Record
	for _, r := range full {
		if r.Category != catMediaStats && r.Category != "AppEvents" {
			kept = append(kept, r)
		}
	}
	if len(kept) != len(some) {
		t.Fatalf("%d records, want %d", len(some), len(kept))
	}
	for i := range kept {
		if string(kept[i].JSON) != string(some[i].JSON) {
			t.Fatalf("record %d differs:\n%s\n%s", i, kept[i].JSON, some[i].JSON)
		}
	}
}
