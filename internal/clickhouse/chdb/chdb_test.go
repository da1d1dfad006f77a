//go:build chdb

package chdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	ch "github.com/callscope/callscope/internal/clickhouse"
	store "github.com/callscope/callscope/internal/store/clickhouse"
)

var _ store.Conn = (*Engine)(nil)

// open starts an engine on a fresh directory and stops it when the test
// ends. Tests do not run in parallel: chdb has one engine per process.
func open(t *testing.T) *Engine {
	t.Helper()
	e, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func mustExec(t *testing.T, e *Engine, stmt string, settings ch.Settings) {
	t.Helper()
	if err := e.Exec(context.Background(), stmt, settings); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func mustQuery(t *testing.T, e *Engine, stmt string, settings ch.Settings) *ch.Result {
	t.Helper()
	r, err := e.Query(context.Background(), stmt, settings)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	return r
}

// strings of a result, each value as the JSON text it arrived as.
func rawRows(r *ch.Result) [][]string {
	out := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		for _, v := range row {
			out[i] = append(out[i], string(v))
		}
	}
	return out
}

func engineErr(t *testing.T, err error) *ch.Error {
	t.Helper()
	var e *ch.Error
	if !errors.As(err, &e) {
		t.Fatalf("want a *ch.Error, got %T: %v", err, err)
	}
	return e
}

func TestVersion(t *testing.T) {
	e := open(t)
	v, err := e.ServerVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("chdb is ClickHouse %s", v)
	if !v.AtLeast(26, 0) {
		t.Fatalf("version %s: want 26 or later", v)
	}
}

// awkward is text that breaks naive quoting, escaping or splitting.
var awkward = []string{
	`she said "no"`,
	`back\slash, \n literal, trailing \`,
	"two\nlines\r\nand\ta tab",
	"semi; colon; SELECT 1; FORMAT JSONEachRow",
	"naïve café, 日本語, Ελληνικά, emoji 📞, line separator \u2028",
	`{"json":"inside"}`,
	"'single' and `back` quotes",
	"",
}

func TestInsertAndReadBack(t *testing.T) {
	e := open(t)
	mustExec(t, e, `CREATE TABLE calls (id Int64, note String, at DateTime64(6, 'UTC'), n UInt64)
		ENGINE = MergeTree ORDER BY id`, nil)

	var body strings.Builder
	for i, s := range awkward {
		row, err := json.Marshal(map[string]any{
			"id":   i,
			"note": s,
			"at":   fmt.Sprintf("2024-02-29 23:59:59.%06d", 123456+i),
			"n":    uint64(1)<<63 + uint64(i), // beyond float64's exact range
		})
		if err != nil {
			t.Fatal(err)
		}
		body.Write(row)
		body.WriteByte('\n')
	}
	if err := e.Insert(context.Background(), ch.Ident("calls"), []string{"id", "note", "at", "n"}, "JSONEachRow", strings.NewReader(body.String()), nil); err != nil {
		t.Fatal(err)
	}

	r := mustQuery(t, e, "SELECT id, note, at, n FROM calls ORDER BY id", nil)
	wantCols := []ch.Column{
		{Name: "id", Type: "Int64"},
		{Name: "note", Type: "String"},
		{Name: "at", Type: "DateTime64(6, 'UTC')"},
		{Name: "n", Type: "UInt64"},
	}
	if fmt.Sprint(r.Columns) != fmt.Sprint(wantCols) {
		t.Errorf("columns %v, want %v", r.Columns, wantCols)
	}
	if len(r.Rows) != len(awkward) {
		t.Fatalf("%d rows, want %d", len(r.Rows), len(awkward))
	}
	for i, row := range r.Rows {
		var id, at, n, note string
		for j, dst := range []*string{&id, &note, &at, &n} {
			if err := json.Unmarshal(row[j], dst); err != nil {
				t.Fatalf("row %d column %d: %s is not a JSON string: %v", i, j, row[j], err)
			}
		}
		if id != fmt.Sprint(i) {
			t.Errorf("row %d: id %q", i, id)
		}
		if note != awkward[i] {
			t.Errorf("row %d: note %q, want %q", i, note, awkward[i])
		}
		if want := fmt.Sprintf("2024-02-29 23:59:59.%06d", 123456+i); at != want {
			t.Errorf("row %d: at %q, want %q", i, at, want)
		}
		if want := fmt.Sprint(uint64(1)<<63 + uint64(i)); n != want {
			t.Errorf("row %d: n %q, want %q", i, n, want)
		}
	}
}

func TestInsertTabSeparated(t *testing.T) {
	e := open(t)
	mustExec(t, e, "CREATE TABLE t (id Int32, s String) ENGINE = MergeTree ORDER BY id", nil)
	// A line that reads as SQL must stay data.
	rows := "1\tfoo;\n2\tSELECT 99\n3\ta\\tb\\\\c\\nd\n"
	if err := e.Insert(context.Background(), "t", nil, "TabSeparated", strings.NewReader(rows), nil); err != nil {
		t.Fatal(err)
	}
	got := rawRows(mustQuery(t, e, "SELECT id, s FROM t ORDER BY id", nil))
	want := [][]string{{"1", `"foo;"`}, {"2", `"SELECT 99"`}, {"3", `"a\tb\\c\nd"`}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestInsertRejectsNUL(t *testing.T) {
	e := open(t)
	mustExec(t, e, "CREATE TABLE t (s String) ENGINE = Memory", nil)
	err := e.Insert(context.Background(), "t", nil, "TabSeparated", strings.NewReader("a\x00b\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "NUL") {
		t.Fatalf("got %v, want an error about the NUL byte", err)
	}
}

func TestBigIntegersExact(t *testing.T) {
	e := open(t)
	r := mustQuery(t, e, "SELECT toInt64(9007199254740993) AS a, toInt64(-9223372036854775808) AS b, toUInt64(18446744073709551615) AS c, toInt32(7) AS d", nil)
	want := [][]string{{`"9007199254740993"`, `"-9223372036854775808"`, `"18446744073709551615"`, `7`}}
	if got := rawRows(r); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestErrors(t *testing.T) {
	e := open(t)
	ctx := context.Background()

	_, err := e.Query(ctx, "SELECT 1 FROM", nil)
	if ce := engineErr(t, err); ce.Code != ch.CodeSyntaxError || !strings.Contains(ce.Message, "Syntax error") {
		t.Errorf("got code %d, message %q; want code %d", ce.Code, ce.Message, ch.CodeSyntaxError)
	}
	if !ch.IsCode(e.Exec(ctx, "CREATE TABLE (", nil), ch.CodeSyntaxError) {
		t.Error("Exec of bad SQL: want a syntax error")
	}
	// chdb would run this as a SELECT; a server would not.
	if _, err := e.Query(ctx, "1 + 1", nil); !ch.IsCode(err, ch.CodeSyntaxError) {
		t.Errorf("implicit SELECT: got %v, want a syntax error", err)
	}
	if _, err := e.Query(ctx, "SELECT * FROM nowhere", nil); !ch.IsCode(err, ch.CodeUnknownTable) {
		t.Errorf("unknown table: got %v, want code %d", err, ch.CodeUnknownTable)
	}
	// The output of a failed statement must not spill into the next.
	if _, err := e.Query(ctx, "SELECT throwIf(number = 2) FROM numbers(5) SETTINGS max_block_size = 1", nil); err == nil {
		t.Fatal("throwIf did not throw")
	}
	if got := rawRows(mustQuery(t, e, "SELECT 'clean'", nil)); fmt.Sprint(got) != `[["clean"]]` {
		t.Errorf("after an error: %v", got)
	}
}

func TestDatabaseSetting(t *testing.T) {
	e := open(t)
	mustExec(t, e, "CREATE DATABASE other", nil)
	in := ch.Settings{"database": "other"}
	mustExec(t, e, "CREATE TABLE t (x Int32) ENGINE = MergeTree ORDER BY x", in)
	if err := e.Insert(context.Background(), "t", nil, "JSONEachRow", strings.NewReader(`{"x":5}`), in); err != nil {
		t.Fatal(err)
	}
	got := rawRows(mustQuery(t, e, "SELECT currentDatabase(), sum(x) FROM t", in))
	if fmt.Sprint(got) != `[["other" "5"]]` {
		t.Errorf("in other: %v", got)
	}
	// The next statement is back in default, where t does not exist.
	got = rawRows(mustQuery(t, e, "SELECT currentDatabase()", nil))
	if fmt.Sprint(got) != `[["default"]]` {
		t.Errorf("without the setting: %v", got)
	}
	if _, err := e.Query(context.Background(), "SELECT * FROM t", nil); !ch.IsCode(err, ch.CodeUnknownTable) {
		t.Errorf("t outside other: got %v, want unknown table", err)
	}
	const unknownDatabase = 81
	if _, err := e.Query(context.Background(), "SELECT 1", ch.Settings{"database": "missing"}); !ch.IsCode(err, unknownDatabase) {
		t.Errorf("missing database: got %v, want code %d", err, unknownDatabase)
	}
}

func TestSettingsApplyToOneStatement(t *testing.T) {
	e := open(t)
	ctx := context.Background()
	const tooManyRows, readonlyMode = 396, 164
	limit := ch.Settings{"max_result_rows": "1", "result_overflow_mode": "throw"}
	if _, err := e.Query(ctx, "SELECT number FROM numbers(10)", limit); !ch.IsCode(err, tooManyRows) {
		t.Fatalf("with max_result_rows=1: got %v, want code %d", err, tooManyRows)
	}
	if r := mustQuery(t, e, "SELECT number FROM numbers(10)", nil); len(r.Rows) != 10 {
		t.Errorf("the next statement: %d rows, want 10", len(r.Rows))
	}

	// readonly, which cannot be SET back once set, is per statement too.
	mustExec(t, e, "CREATE TABLE t (x Int32) ENGINE = Memory", nil)
	err := e.Exec(ctx, "INSERT INTO t VALUES (1)", ch.Settings{"readonly": "2", "max_threads": "1"})
	if !ch.IsCode(err, readonlyMode) {
		t.Fatalf("insert with readonly=2: got %v, want code %d", err, readonlyMode)
	}
	mustExec(t, e, "INSERT INTO t VALUES (2)", nil)
	if got := rawRows(mustQuery(t, e, "SELECT x FROM t", ch.Settings{"readonly": "2"})); fmt.Sprint(got) != "[[2]]" {
		t.Errorf("rows of t: %v", got)
	}

	// A SET statement lasts only as long as itself, as over HTTP.
	mustExec(t, e, "SET max_result_rows = 1, result_overflow_mode = 'throw'", nil)
	if r := mustQuery(t, e, "SELECT number FROM numbers(3)", nil); len(r.Rows) != 3 {
		t.Errorf("after SET: %d rows, want 3", len(r.Rows))
	}

	if _, err := e.Query(ctx, "SELECT 1", ch.Settings{"max_threads; DROP": "1"}); err == nil {
		t.Error("a bad setting name was accepted")
	}
}

func TestOneEnginePerProcess(t *testing.T) {
	dir := t.TempDir()
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, e, "CREATE TABLE kept (x Int32) ENGINE = MergeTree ORDER BY x", nil)
	mustExec(t, e, "INSERT INTO kept VALUES (42)", nil)
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "already open") {
		t.Fatalf("a second engine: got %v, want an error", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Exec(context.Background(), "SELECT 1", nil); err == nil {
		t.Error("Exec on a closed engine succeeded")
	}

	// Once closed, the data is still there for the next engine.
	e, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got := rawRows(mustQuery(t, e, "SELECT x FROM kept", nil)); fmt.Sprint(got) != "[[42]]" {
		t.Errorf("after reopening: %v", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	e := open(t)
	mustExec(t, e, "CREATE TABLE t (g Int32, x Int64) ENGINE = Memory", nil)
	const goroutines, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				row := fmt.Sprintf(`{"g":%d,"x":%d}`, g, i)
				if err := e.Insert(context.Background(), "t", nil, "JSONEachRow", strings.NewReader(row), nil); err != nil {
					errs <- err
					return
				}
				s := ch.Settings{"max_threads": fmt.Sprint(1 + i%4)}
				r, err := e.Query(context.Background(), fmt.Sprintf("SELECT count() FROM t WHERE g = %d", g), s)
				if err != nil {
					errs <- err
					return
				}
				if got, want := string(r.Rows[0][0]), fmt.Sprintf(`"%d"`, i+1); got != want {
					errs <- fmt.Errorf("goroutine %d: count %s, want %s", g, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A config.xml in the working directory, which chdb would read if left to
// itself, must not matter.
func TestIgnoresWorkingDirectoryConfig(t *testing.T) {
	wd := t.TempDir()
	if err := os.WriteFile(filepath.Join(wd, "config.xml"), []byte("not a configuration"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(wd)
	e := open(t)
	if got := rawRows(mustQuery(t, e, "SELECT 1", nil)); fmt.Sprint(got) != "[[1]]" {
		t.Errorf("got %v", got)
	}
}

func TestCancelledContext(t *testing.T) {
	e := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Query(ctx, "SELECT 1", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
