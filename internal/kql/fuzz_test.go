package kql_test

import (
	"testing"
	"time"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/kql/sqlgen"
	"github.com/callscope/callscope/internal/kql/sqlgen/duckdbsql"
	"github.com/callscope/callscope/internal/query/querytest"
)

// FuzzCompile feeds arbitrary text through the whole front end: the parser
// must never panic or hang, and what parses must check (or fail with an
// error) and generate SQL (or fail with an error) without panicking.
// Seeds are the test suite's queries and a few edge cases.
func FuzzCompile(f *testing.F) {
	for _, c := range querytest.Cases {
		f.Add(c.Query)
	}
	for _, s := range []string{
		"", ";", "|", "T |", "print 1", "print dynamic([1, {\"a\": [2]}])[1].a[0]",
		"let f = (x:long = 1) { print x }; f()", "range x from 1 to 3 step 1 | serialize r = row_number()",
		"datatable(a:long)[1, 2] | mv-expand b = pack_array(a, a)", "print datetime(null), time(1.02:03:04)",
		"ACSCallSummary | where * contains 'x' | take 1", "union ACS* | count",
		"ACSCallSummary | parse OsVersion with os:string ' ' v:long *",
	} {
		f.Add(s)
	}
	now := time.Date(2024, 5, 2, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, src string) {
		q, err := kql.Parse(src)
		if err != nil {
			if _, ok := err.(*kql.Error); !ok {
				t.Fatalf("Parse returned %T, not *kql.Error: %v", err, err)
			}
			return
		}
		checked, err := kql.Check(src, q, kql.Options{Now: now})
		if err != nil {
			if _, ok := err.(*kql.Error); !ok {
				t.Fatalf("Check returned %T, not *kql.Error: %v", err, err)
			}
			return
		}
		if _, err := sqlgen.Generate(checked, duckdbsql.Dialect{}, sqlgen.Options{MaxRows: 10}); err != nil {
			return
		}
	})
}
