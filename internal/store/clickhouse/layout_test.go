package clickhouse

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	ch "github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/clickhouse/chtest"
	"github.com/callscope/callscope/internal/schema"
)

// create runs a layout's statements on one node.
func create(t *testing.T, c *ch.Client, l Layout) {
	t.Helper()
	for _, s := range l.Create() {
		if err := c.Exec(context.Background(), s, nil); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func scalar(t *testing.T, c *ch.Client, q string, settings ch.Settings) string {
	t.Helper()
	r, err := c.Query(context.Background(), q, settings)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if len(r.Rows) != 1 {
		t.Fatalf("%s: %d rows", q, len(r.Rows))
	}
	var parts []string
	for _, v := range r.Rows[0] {
		var s any
		json.Unmarshal(v, &s)
		if x, ok := s.(string); ok {
			parts = append(parts, x)
		} else {
			parts = append(parts, string(v))
		}
	}
	return strings.Join(parts, "|")
}

const summaryRow = `{"TimeGenerated":"2026-11-24 10:00:01","CorrelationId":"call-1","ParticipantId":"p-1","CallDuration":42,` +
	`"_ResourceId":"/subscriptions/sub-9/resourcegroups/rg/providers/microsoft.communication/communicationservices/acs"}`

// On Debian's server: every table and view is created (twice, the second
// time changing nothing), the views have the schema's columns in order,
// and derived columns are computed.
func TestLayoutOnServer(t *testing.T) {
	s := chtest.Start(t)
	c := s.Client("default")
	v, err := c.ServerVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l := Layout{Database: DatabaseName("callscope", "default"), WorkspaceID: "ws-guid", Features: ch.FeaturesOf(v)}
	create(t, c, l)
	create(t, c, l)
	for _, tab := range schema.Tables() {
		r, err := c.Query(context.Background(), "DESCRIBE TABLE "+l.view(tab), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rows) != len(tab.Columns) {
			t.Fatalf("%s: the view has %d columns, the schema %d", tab.Name, len(r.Rows), len(tab.Columns))
		}
		for i, row := range r.Rows {
			var name string
			json.Unmarshal(row[0], &name)
			if name != tab.Columns[i].Name {
				t.Errorf("%s column %d: %s, want %s", tab.Name, i, name, tab.Columns[i].Name)
			}
		}
	}
	sum := schema.ByName("ACSCallSummary")
	if err := c.Insert(context.Background(), l.dataTable(sum), nil, "JSONEachRow", strings.NewReader(summaryRow), nil); err != nil {
		t.Fatal(err)
	}
	got := scalar(t, c, "SELECT TenantId, Type, _SubscriptionId, Category, CorrelationId, CallDuration, toString(TimeGenerated) FROM "+l.view(sum)+" WHERE CorrelationId = 'call-1'", nil)
	if want := "ws-guid|ACSCallSummary|sub-9|CallSummary|call-1|42|2026-11-24 10:00:01"; got != want {
		t.Errorf("view row: %s, want %s", got, want)
	}
}

// On a cluster of two shards: each node holds local tables and a
// Distributed table; a row written through one node reads through the
// other.
func TestLayoutOnCluster(t *testing.T) {
	nodes := chtest.StartCluster(t, "cs", 2)
	v, err := nodes[0].Client("default").ServerVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l := Layout{Database: DatabaseName("callscope", "default"), Cluster: "cs", WorkspaceID: "ws-guid", Features: ch.FeaturesOf(v)}
	for _, n := range nodes {
		create(t, n.Client("default"), l)
	}
	sum := schema.ByName("ACSCallSummary")
	for i, n := range nodes {
		stmt := "INSERT INTO " + l.dataTable(sum) + " (TimeGenerated, CorrelationId, ParticipantId) VALUES ('2026-11-24 10:00:00', 'call-" + string(rune('a'+i)) + "', 'p')"
		if err := n.Client("default").Exec(context.Background(), stmt, ch.Settings{"insert_distributed_sync": "1"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nodes {
		if got := scalar(t, n.Client("default"), "SELECT count(), min(CorrelationId), max(CorrelationId) FROM "+l.view(sum), nil); got != "2|call-a|call-b" {
			t.Errorf("through %s: %s", n.URL(), got)
		}
	}
}

// Rows encoded for insert come back as they went in: awkward text, times
// (whole seconds on servers without DateTime64), numbers, booleans,
// dynamic values as their JSON text, and nulls.
func TestEncodeRows(t *testing.T) {
	s := chtest.Start(t)
	c := s.Client("default")
	v, _ := c.ServerVersion(context.Background())
	l := Layout{Database: DatabaseName("callscope", "default"), WorkspaceID: "ws", Features: ch.FeaturesOf(v)}
	create(t, c, l)
	ops := schema.ByName("ACSCallClientOperations")
	at := time.Date(2026, 11, 24, 10, 0, 1, 123456000, time.UTC)
	text := "quote \" back \\ \\N new\nline tab\t cr\r nul\x00 bell\x07 ünï 通话"
	row := make([]any, len(ops.Columns))
	for i, col := range ops.Columns {
		switch col.Name {
		case "TimeGenerated", "CallClientTimeStamp":
			row[i] = at
		case "OperationName":
			row[i] = text
		case "DurationMs":
			row[i] = int64(1500)
		case "OperationPayload":
			row[i] = `{"SubCode":41048,"a":[1,"x"]}`
		case "CallId":
			row[i] = "call-7"
		}
	}
	var buf bytes.Buffer
	if err := encodeRows(&buf, ops, [][]any{row}, l.Features); err != nil {
		t.Fatal(err)
	}
	if err := c.Insert(context.Background(), l.dataTable(ops), insertColumns(ops, nil), insertFormat, &buf, nil); err != nil {
		t.Fatalf("insert: %v\n%s", err, buf.String())
	}
	r, err := c.Query(context.Background(), "SELECT OperationName, toString(CallClientTimeStamp), DurationMs, OperationPayload, ParticipantId FROM "+l.view(ops)+" WHERE CallId = 'call-7'", nil)
	if err != nil || len(r.Rows) != 1 {
		t.Fatalf("read back: %v %v", r, err)
	}
	var name, ts, dur, payload string
	json.Unmarshal(r.Rows[0][0], &name)
	json.Unmarshal(r.Rows[0][1], &ts)
	json.Unmarshal(r.Rows[0][2], &dur)
	json.Unmarshal(r.Rows[0][3], &payload)
	wantTS := "2026-11-24 10:00:01"
	if l.Features.DateTime64 {
		wantTS = "2026-11-24 10:00:01.123456"
	}
	if name != text || ts != wantTS || dur != "1500" || payload != `{"SubCode":41048,"a":[1,"x"]}` || string(r.Rows[0][4]) != "null" {
		t.Errorf("read back %q %q %q %q %s", name, ts, dur, payload, r.Rows[0][4])
	}
	if err := encodeRows(&buf, ops, [][]any{row[:3]}, l.Features); err == nil || !strings.Contains(err.Error(), "row 0") {
		t.Errorf("a short row: %v", err)
	}
	row[ops.ColumnIndex("TimeGenerated")] = struct{}{}
	if err := encodeRows(&buf, ops, [][]any{row}, l.Features); err == nil || !strings.Contains(err.Error(), "TimeGenerated") {
		t.Errorf("a value of an unknown type: %v", err)
	}
}
