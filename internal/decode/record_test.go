package decode

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/schema"
)

var received = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// decodeOne decodes a record and returns its table and its row as a map
// from column name to value.
func decodeOne(t *testing.T, raw string) (*schema.Table, map[string]any) {
	t.Helper()
	d := NewDecoder(Limits{})
	tbl, row, err := d.Decode([]byte(raw), received)
	if err != nil {
		t.Fatalf("Decode(%s): %v", raw, err)
	}
	if len(row) != len(tbl.Columns) {
		t.Fatalf("row has %d values for %d columns", len(row), len(tbl.Columns))
	}
	m := map[string]any{}
	for i, c := range tbl.Columns {
		m[c.Name] = row[i]
	}
	return tbl, m
}

func decodeErr(t *testing.T, raw string) *RecordError {
	t.Helper()
	d := NewDecoder(Limits{MaxDepth: 8, MaxStringBytes: 64})
	_, _, err := d.Decode([]byte(raw), received)
	var re *RecordError
	if !errors.As(err, &re) {
		t.Fatalf("Decode(%s): want a RecordError, got %v", raw, err)
	}
	return re
}

func want(t *testing.T, row map[string]any, col string, v any) {
	t.Helper()
	got, ok := row[col]
	if !ok {
		t.Fatalf("no column %s", col)
	}
	if tv, ok := v.(time.Time); ok {
		if gt, ok := got.(time.Time); !ok || !gt.Equal(tv) {
			t.Errorf("%s = %#v, want %v", col, got, tv)
		}
		return
	}
	if got != v {
		t.Errorf("%s = %#v (%T), want %#v (%T)", col, got, got, v, v)
	}
}

// The resource-log shape of a diagnostic-setting export: envelope fields at
// the top, the service's fields under properties.
func TestResourceLogShape(t *testing.T) {
	tbl, row := decodeOne(t, `{"time":"2021-07-19T18:46:50.188Z","resourceId":"SUBSCRIPTIONS/AAAA-1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/ACS1",
		"operationName":"CallSummary","operationVersion":"1.0","category":"CallSummary","correlationId":"call-1",
		"properties":{"callStartTime":"2021-07-19T17:54:05.113Z","callDuration":6,"callType":"P2P","endpointType":"VoIP","participantDuration":"5"}}`)
	if tbl.Name != "ACSCallSummary" {
		t.Fatalf("table %s", tbl.Name)
	}
	want(t, row, "TimeGenerated", time.Date(2021, 7, 19, 18, 46, 50, 188e6, time.UTC))
	want(t, row, "CorrelationId", "call-1")
	want(t, row, "OperationName", "CallSummary")
	want(t, row, "CallDuration", int64(6))
	want(t, row, "ParticipantDuration", int64(5))
	want(t, row, "CallType", "P2P")
	// _ResourceId is normalised as Log Analytics shows it.
	want(t, row, "_ResourceId", "/subscriptions/aaaa-1/resourcegroups/rg/providers/microsoft.communication/communicationservices/acs1")
	// Derived system columns are left to the store.
	for _, col := range []string{"Category", "_SubscriptionId", "TenantId", "Type", "SourceSystem", "_IsBillable"} {
		want(t, row, col, nil)
	}
	if row["_BilledSize"].(float64) <= 100 {
		t.Errorf("_BilledSize = %v, want the record's size", row["_BilledSize"])
	}
	want(t, row, "AdditionalFields", nil)
}

// A flat Log Analytics row, as exported from a query: PascalCase columns
// and Type naming the table. The TenantId and _BilledSize of the workspace
// it came from are not taken over.
func TestFlatLogAnalyticsRow(t *testing.T) {
	tbl, row := decodeOne(t, `{"TenantId":"other-ws","TimeGenerated":"2024-01-09T17:06:50.3Z","OperationName":"CreateView",
		"CallId":"c1","DurationMs":577,"ResultSignature":200,"_BilledSize":9,"Type":"ACSCallClientOperations"}`)
	if tbl.Name != "ACSCallClientOperations" {
		t.Fatalf("table %s", tbl.Name)
	}
	want(t, row, "TenantId", nil)
	want(t, row, "_BilledSize", float64(len(`{"TenantId":"other-ws","TimeGenerated":"2024-01-09T17:06:50.3Z","OperationName":"CreateView",
		"CallId":"c1","DurationMs":577,"ResultSignature":200,"_BilledSize":9,"Type":"ACSCallClientOperations"}`)))
	want(t, row, "CallId", "c1")
	want(t, row, "DurationMs", int64(577))
	want(t, row, "ResultSignature", int64(200))
	want(t, row, "AdditionalFields", nil)
}

// Property names match in any letter case.
func TestPropertyNamesAnyCase(t *testing.T) {
	for _, key := range []string{"callupdatesversion", "CallUpdatesVersion", "callUpdatesVersion", "CALLUPDATESVERSION"} {
		_, row := decodeOne(t, `{"category":"CallSummaryUpdates","properties":{"`+key+`":3,"PARTICIPANTID":"p1"}}`)
		want(t, row, "CallUpdatesVersion", int64(3))
		want(t, row, "ParticipantId", "p1")
	}
}

// Numbers sent as strings are converted to the column type.
func TestNumbersAsStrings(t *testing.T) {
	_, row := decodeOne(t, `{"category":"CallDiagnostics","properties":{"roundTripTimeAvg":"82","packetLossRateAvg":"3.146336E-05","streamId":"1363841599","TPE":"true","VideoFrameRateAvg":" 29.5 "}}`)
	want(t, row, "RoundTripTimeAvg", int64(82))
	want(t, row, "PacketLossRateAvg", 3.146336e-05)
	want(t, row, "StreamId", int64(1363841599))
	want(t, row, "TPE", true)
	want(t, row, "VideoFrameRateAvg", 29.5)
}

// Numbers where the column is a string keep their text (SubCode: 0).
func TestNumbersIntoStringColumns(t *testing.T) {
	_, row := decodeOne(t, `{"category":"CallingMetrics","properties":{"SubCode":0,"DeviceOsVersionMinor":10,"DeviceBrowserVersionMajor":132.5}}`)
	want(t, row, "SubCode", "0")
	want(t, row, "DeviceOsVersionMinor", "10")
	want(t, row, "DeviceBrowserVersionMajor", "132.5")
}

// The string "null" means a missing value, in any column type.
func TestNullString(t *testing.T) {
	_, row := decodeOne(t, `{"category":"CallSummary","properties":{"participantId":"null","teamsThreadId":"NULL","callDuration":"null","callStartTime":"null","TPE":"null","endpointId":null}}`)
	for _, col := range []string{"ParticipantId", "TeamsThreadId", "CallDuration", "CallStartTime", "TPE", "EndpointId"} {
		want(t, row, col, nil)
	}
}

// Times with or without a zone and with 0 to 7 (up to 9) fractional digits.
func TestTimeFormats(t *testing.T) {
	base := time.Date(2023, 4, 12, 14, 21, 35, 0, time.UTC)
	cases := map[string]time.Time{
		"2023-04-12T14:21:35Z":           base,
		"2023-04-12T14:21:35":            base,
		"2023-04-12T14:21:35.0Z":         base,
		"2023-04-12T14:21:35.07Z":        base.Add(70 * time.Millisecond),
		"2023-04-12T14:21:35.070Z":       base.Add(70 * time.Millisecond),
		"2023-04-12T14:21:35.0700920Z":   base.Add(70092 * time.Microsecond),
		"2023-04-12T14:21:35.0700920":    base.Add(70092 * time.Microsecond),
		"2023-04-12T14:21:35.123456789Z": base.Add(123456789),
		"2023-04-12 14:21:35.5":          base.Add(500 * time.Millisecond),
		"2023-04-12T16:21:35+02:00":      base,
		"2023-04-12T13:21:35-0100":       base,
		"2023-04-12T14:21Z":              base.Add(-35 * time.Second),
		"2023-04-12":                     time.Date(2023, 4, 12, 0, 0, 0, 0, time.UTC),
	}
	for in, wantT := range cases {
		got, err := ParseTime([]byte(in))
		if err != nil || !got.Equal(wantT) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, wantT)
		}
	}
	for _, bad := range []string{"", "yesterday", "2023-13-01T00:00:00Z", "2023-02-30", "2023-04-12T25:00:00Z", "2023-04-12T14:21:35.Z", "2023-04-12T14:21:35Zjunk", "1681309295"} {
		if _, err := ParseTime([]byte(bad)); err == nil {
			t.Errorf("ParseTime(%q) succeeded, want an error", bad)
		}
	}
}

// A record without a time of its own gets the time it arrived.
func TestMissingTimeUsesArrival(t *testing.T) {
	_, row := decodeOne(t, `{"category":"CallSurvey","properties":{"SurveyId":"s1"}}`)
	want(t, row, "TimeGenerated", received)
}

// Unknown properties are kept as a JSON bag in AdditionalFields.
func TestUnknownPropertiesKept(t *testing.T) {
	_, row := decodeOne(t, `{"category":"CallSummary","level":"Informational","properties":{"callType":"Group","futureField":{"a":[1,2]},"note":"x\"y"}}`)
	want(t, row, "CallType", "Group")
	var extra map[string]any
	if err := json.Unmarshal([]byte(row["AdditionalFields"].(string)), &extra); err != nil {
		t.Fatalf("AdditionalFields %q: %v", row["AdditionalFields"], err)
	}
	if extra["level"] != "Informational" || extra["note"] != `x"y` {
		t.Errorf("AdditionalFields = %v", extra)
	}
	if a, _ := extra["futureField"].(map[string]any)["a"].([]any); len(a) != 2 {
		t.Errorf("futureField lost: %v", extra)
	}
}

// A property sent twice keeps the first value; a second, different one is
// not lost either.
func TestDuplicatePropertyKept(t *testing.T) {
	_, row := decodeOne(t, `{"time":"2024-01-10T07:36:51.771Z","category":"CallClientMediaStatsTimeSeries","properties":{"TimeGenerated":"2024-01-10T07:36:52Z"}}`)
	want(t, row, "TimeGenerated", time.Date(2024, 1, 10, 7, 36, 51, 771e6, time.UTC))
	if !strings.Contains(row["AdditionalFields"].(string), "2024-01-10T07:36:52Z") {
		t.Errorf("second TimeGenerated lost: %v", row["AdditionalFields"])
	}
}

// The published updates samples copy the final log's category; a record
// with a CallUpdatesVersion is an update wherever it says it belongs.
func TestUpdatesWithFinalCategory(t *testing.T) {
	tbl, row := decodeOne(t, `{"category":"CallSummary","properties":{"participantId":"p1","callupdatesversion":"2"}}`)
	if tbl.Name != "ACSCallSummaryUpdates" {
		t.Fatalf("table %s, want ACSCallSummaryUpdates", tbl.Name)
	}
	want(t, row, "CallUpdatesVersion", int64(2))
	tbl, _ = decodeOne(t, `{"category":"CallDiagnostics","properties":{"streamId":1,"CallUpdatesVersion":1}}`)
	if tbl.Name != "ACSCallDiagnosticsUpdates" {
		t.Fatalf("table %s, want ACSCallDiagnosticsUpdates", tbl.Name)
	}
}

// The table may be named by category, by Type (a table name) or only inside
// properties, in any case.
func TestTableNamedAnyWay(t *testing.T) {
	cases := map[string]string{
		`{"category":"callclientoperations"}`:                                "ACSCallClientOperations",
		`{"Category":"CallSurvey","properties":{"SurveyId":"s"}}`:            "ACSCallSurvey",
		`{"type":"CallingMetrics"}`:                                          "ACSCallingMetrics",
		`{"Type":"ACSCallDiagnostics"}`:                                      "ACSCallDiagnostics",
		`{"properties":{"Type":"ACSCallClientMediaStatsTimeSeries"}}`:        "ACSCallClientMediaStatsTimeSeries",
		`{"category":"Usage","properties":{"Quantity":"1.5"}}`:               "ACSBillingUsage",
		`{"category":"CallAutomationOperational","properties":{"URI":"/x"}}`: "ACSCallAutomationIncomingOperations",
		`{"category":"CallSummary","properties":"{\"callType\":\"Group\"}"}`: "ACSCallSummary",
	}
	for raw, wantTable := range cases {
		tbl, _ := decodeOne(t, raw)
		if tbl.Name != wantTable {
			t.Errorf("%s → %s, want %s", raw, tbl.Name, wantTable)
		}
	}
	// properties sent as a string holding JSON are read as an object
	_, row := decodeOne(t, `{"category":"CallSummary","properties":"{\"callType\":\"Group\"}"}`)
	want(t, row, "CallType", "Group")
}

// AppEvents has a column named Properties (an event's custom dimensions),
// which is also the name of the resource-log envelope's member. In the
// resource-log shape (a top-level category) the envelope's properties hold
// the service fields, Properties among them, in any case.
func TestAppEventsResourceLogShape(t *testing.T) {
	for _, key := range []string{"Properties", "properties", "PROPERTIES"} {
		raw := `{"time":"2025-06-02T10:15:07.250Z","resourceId":"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.INSIGHTS/COMPONENTS/APP1",
			"category":"AppEvents","operationName":"Microsoft.ApplicationInsights/events",
			"properties":{"Name":"CallSurvey","` + key + `":{"id":"s-1","improvementSuggestion":"less echo"},"Measurements":{"n":2},"ItemCount":"1","ClientType":"Browser"}}`
		tbl, row := decodeOne(t, raw)
		if tbl.Name != "AppEvents" {
			t.Fatalf("table %s", tbl.Name)
		}
		want(t, row, "Properties", `{"id":"s-1","improvementSuggestion":"less echo"}`)
		want(t, row, "Name", "CallSurvey")
		want(t, row, "Measurements", `{"n":2}`)
		want(t, row, "ItemCount", int64(1))
		want(t, row, "ClientType", "Browser")
		want(t, row, "OperationName", "Microsoft.ApplicationInsights/events")
		want(t, row, "TimeGenerated", time.Date(2025, 6, 2, 10, 15, 7, 250e6, time.UTC))
		want(t, row, "_ResourceId", "/subscriptions/s1/resourcegroups/rg/providers/microsoft.insights/components/app1")
		want(t, row, "AdditionalFields", nil)
	}
	// Properties sent as text holding JSON is stored as that object.
	_, row := decodeOne(t, `{"category":"AppEvents","properties":{"Name":"CallSurvey","Properties":"{\"id\":\"s-2\"}"}}`)
	want(t, row, "Properties", `{"id":"s-2"}`)
	// A record with a category is in the resource-log shape even when its
	// properties look like custom dimensions: nothing is lost, the members
	// that name no column are kept in AdditionalFields.
	_, row = decodeOne(t, `{"category":"AppEvents","Name":"CallSurvey","Properties":{"id":"s-3"}}`)
	want(t, row, "Name", "CallSurvey")
	want(t, row, "Properties", nil)
	want(t, row, "AdditionalFields", `{"id":"s-3"}`)
}

// A flat row of AppEvents (Type names the table, no category) carries its
// columns at the top level, Properties included: that object is the
// column, not an envelope. Application Insights exports records this way,
// with the envelope's time and resourceId.
func TestAppEventsFlatRow(t *testing.T) {
	tbl, row := decodeOne(t, `{"Type":"AppEvents","TimeGenerated":"2025-06-02T10:15:07.25Z","Name":"CallSurvey","Properties":{"id":"s-1"}}`)
	if tbl.Name != "AppEvents" {
		t.Fatalf("table %s", tbl.Name)
	}
	want(t, row, "Properties", `{"id":"s-1"}`)
	want(t, row, "Name", "CallSurvey")
	want(t, row, "TimeGenerated", time.Date(2025, 6, 2, 10, 15, 7, 250e6, time.UTC))
	want(t, row, "AdditionalFields", nil)

	export := `{"time":"2025-06-02T10:15:07.2500000Z","resourceId":"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.INSIGHTS/COMPONENTS/APP1",
		"ResourceGUID":"0f6c1c5e-3a58-4c53-a5c2-4d1f2b6c7d8e","Type":"AppEvents","AppRoleName":"contoso-web","ClientType":"Browser",
		"IKey":"5f0e9a3c-1d2b-4c7a-9e8f-6a5b4c3d2e1f","_BilledSize":612,"OperationId":"4bf92f3577b34da6a3ce929d0e0e4736",
		"SDKVersion":"javascript:3.2.1","Properties":{"id":"s-2","improvementSuggestion":""},"Measurements":null,
		"Name":"CallSurvey","ItemCount":1,"futureField":"kept"}`
	tbl, row = decodeOne(t, export)
	if tbl.Name != "AppEvents" {
		t.Fatalf("table %s", tbl.Name)
	}
	want(t, row, "Properties", `{"id":"s-2","improvementSuggestion":""}`)
	want(t, row, "Name", "CallSurvey")
	want(t, row, "SDKVersion", "javascript:3.2.1")
	want(t, row, "IKey", "5f0e9a3c-1d2b-4c7a-9e8f-6a5b4c3d2e1f")
	want(t, row, "ItemCount", int64(1))
	want(t, row, "Measurements", nil)
	want(t, row, "TimeGenerated", time.Date(2025, 6, 2, 10, 15, 7, 250e6, time.UTC))
	want(t, row, "_ResourceId", "/subscriptions/s1/resourcegroups/rg/providers/microsoft.insights/components/app1")
	want(t, row, "_BilledSize", float64(len(export)))
	want(t, row, "AdditionalFields", `{"futureField":"kept"}`)

	// in any case, and as text holding JSON
	_, row = decodeOne(t, `{"type":"appevents","name":"CallSurvey","properties":"{\"id\":\"s-3\"}"}`)
	want(t, row, "Properties", `{"id":"s-3"}`)
	want(t, row, "Name", "CallSurvey")
}

// Flat rows of tables without a Properties column keep reading a top-level
// properties member as the envelope, as before AppEvents existed.
func TestFlatRowPropertiesStillEnvelope(t *testing.T) {
	_, row := decodeOne(t, `{"Type":"ACSCallSurvey","SurveyId":"s","properties":{"OverallRatingScore":"4"}}`)
	want(t, row, "SurveyId", "s")
	want(t, row, "OverallRatingScore", int64(4))
	want(t, row, "AdditionalFields", nil)
}

// Dynamic columns keep JSON; a string holding a JSON object (how the
// published OperationPayload sample looks) becomes that object.
func TestDynamicValues(t *testing.T) {
	_, row := decodeOne(t, `{"category":"CallClientOperations","properties":{"OperationPayload":"{\"StreamType\":\"Video\",\"StreamId\":\"2.0\"}"}}`)
	want(t, row, "OperationPayload", `{"StreamType":"Video","StreamId":"2.0"}`)
	_, row = decodeOne(t, `{"category":"CallClientOperations","properties":{"OperationPayload":{"DiagnosticChanged":"networkReceiveQuality","DiagnosticQuality":"Bad"}}}`)
	want(t, row, "OperationPayload", `{"DiagnosticChanged":"networkReceiveQuality","DiagnosticQuality":"Bad"}`)
	_, row = decodeOne(t, `{"category":"CallClientOperations","properties":{"OperationPayload":"plain text"}}`)
	want(t, row, "OperationPayload", `"plain text"`)
}

// Objects where a string column is expected keep their JSON text
// (DiagnosticOptions is a string column holding JSON).
func TestObjectIntoStringColumn(t *testing.T) {
	_, row := decodeOne(t, `{"category":"CallSummary","properties":{"DiagnosticOptions":{"appName":"contoso","tags":["a","b"]}}}`)
	want(t, row, "DiagnosticOptions", `{"appName":"contoso","tags":["a","b"]}`)
}

// Integers written as floats are accepted when they are whole.
func TestWholeFloatsAsIntegers(t *testing.T) {
	_, row := decodeOne(t, `{"category":"CallDiagnostics","properties":{"jitterAvg":"4.0","roundTripTimeAvg":1e2}}`)
	want(t, row, "JitterAvg", int64(4))
	want(t, row, "RoundTripTimeAvg", int64(100))
}

// What cannot be stored is an error that names the column and the value.
func TestRecordsThatCannotBeStored(t *testing.T) {
	cases := []struct{ raw, wantInReason string }{
		{`{"properties":{"a":1}}`, "names no category"},
		{`{"category":"AuthOperational"}`, `unsupported category "AuthOperational"`},
		{`{"category":"CallSummary","time":"last tuesday"}`, `"last tuesday" is not an ISO-8601 time`},
		{`{"category":"CallSummary","properties":{"callDuration":"long"}}`, `CallDuration: "long" is not an integer`},
		{`{"category":"CallSummary","properties":{"callDuration":1.5}}`, `"1.5" is not an integer`},
		{`{"category":"CallDiagnostics","properties":{"jitterAvg":3000000000}}`, "out of range for a 32-bit integer"},
		{`{"category":"CallDiagnostics","properties":{"packetLossRateAvg":"lots"}}`, `"lots" is not a number`},
		{`{"category":"CallDiagnostics","properties":{"TPE":"maybe"}}`, "is not a boolean"},
		{`{"category":"CallSummary","properties":{"callStartTime":1681309295}}`, "expected an ISO-8601 time string"},
		{`{"category":"CallSummary",`, "malformed JSON"},
		{`[1,2]`, "not an object"},
		{`{"category":"CallSummary","properties":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":1}}}}}}}}}`, "nests 9 levels deep"},
		{`{"category":"CallSummary","properties":{"callType":"` + strings.Repeat("x", 100) + `"}}`, "more than the limit of 64"},
	}
	for _, c := range cases {
		re := decodeErr(t, c.raw)
		if !strings.Contains(re.Error(), c.wantInReason) {
			t.Errorf("%s: error %q does not mention %q", c.raw, re.Error(), c.wantInReason)
		}
	}
}

// Rows handed out earlier are not overwritten by later records.
func TestRowsAreStable(t *testing.T) {
	d := NewDecoder(Limits{})
	_, first, err := d.Decode([]byte(`{"category":"CallSummary","properties":{"callType":"P2P"}}`), received)
	if err != nil {
		t.Fatal(err)
	}
	i := schema.ByName("ACSCallSummary").ColumnIndex("CallType")
	for range 5000 {
		if _, _, err := d.Decode([]byte(`{"category":"CallSummary","properties":{"callType":"Group"}}`), received); err != nil {
			t.Fatal(err)
		}
	}
	if first[i] != "P2P" {
		t.Fatalf("first row changed: %v", first[i])
	}
}

func BenchmarkDecodeMediaStats(b *testing.B) {
	raw := []byte(`{"time":"2024-01-10T07:36:51.771Z","resourceId":"/SUBSCRIPTIONS/AAAA/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/ACS1","operationName":"CallClientMediaStatsTimeSeries","operationVersion":"1.0","category":"CallClientMediaStatsTimeSeries","properties":{"CallId":"92d800c4-abde-40be-91e9-3814ee786b19","CallClientTimeStamp":"2024-01-09T15:07:56.066Z","MetricName":"JitterInMs","Count":"2","Sum":"34","Average":"17","Minimum":"10","Maximum":"25","MediaStreamDirection":"recv","MediaStreamType":"audio","MediaStreamCodec":"OPUS","ParticipantId":"2656fd6c-6d4a-451d-a1a5-ce1baefc4d5c","ClientInstanceId":"d08a3d05-db90-415f-88a7-87ae74edc1dd","AggregationIntervalSeconds":10}}`)
	d := NewDecoder(Limits{})
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := d.Decode(raw, received); err != nil {
			b.Fatal(err)
		}
	}
}
