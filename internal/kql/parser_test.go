package kql

import (
	"strings"
	"testing"
)

func TestScannerTokens(t *testing.T) {
	cases := []struct {
		src  string
		want []string // kind:literal
	}{
		{`x !in~ (1..2)`, []string{"name:x", "name:!in~", "'(':(", "integer:1", "'..':..", "integer:2", "')':)"}},
		{`10ms 1.5h 7days 2d`, []string{"timespan:10ms", "timespan:1.5h", "timespan:7days", "timespan:2d"}},
		{`1e3 0x1F 4.`, []string{"real number:1e3", "integer:0x1F", "real number:4."}},
		// Adjacent string literals are one string, as in Kusto.
		{`@'C:\dir' "a\"b\n" 'it''s'`, []string{"string:C:\\dira\"b\nits"}},
		{`h'secret' // a comment` + "\n" + `|`, []string{"string:secret", "'|':|"}},
		{`a=~b !~ c <> d`, []string{"name:a", "'=~':=~", "name:b", "'!~':!~", "name:c", "'!=':<>", "name:d"}},
		{`'a' 'b'`, []string{"string:ab"}},
		{"```multi\nline```", []string{"string:multi\nline"}},
		{`$left.a`, []string{"name:$left", "'.':.", "name:a"}},
	}
	for _, c := range cases {
		s := NewScanner(c.src)
		var got []string
		for {
			_, tok, lit := s.Scan()
			if tok == EOF {
				break
			}
			got = append(got, tok.String()+":"+lit)
			if tok == ILLEGAL {
				break
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%q:\n got %s\nwant %s", c.src, strings.Join(got, " "), strings.Join(c.want, " "))
		}
	}
}

func TestScannerErrors(t *testing.T) {
	cases := []struct {
		src  string
		pos  Pos
		want string
	}{
		{`'open`, 0, "not closed"},
		{`x | where y == "a` + "\n" + `"`, 15, "not closed before the end of the line"},
		{`12parsecs`, 0, "unknown unit 'parsecs'"},
		{`a ! b`, 2, "'!' must be followed"},
		{"a # b", 2, "unexpected character '#'"},
		{`'\q'`, 0, `unknown escape sequence \q`},
	}
	for _, c := range cases {
		s := NewScanner(c.src)
		var pos Pos
		var lit string
		for {
			p, tok, l := s.Scan()
			if tok == ILLEGAL {
				pos, lit = p, l
				break
			}
			if tok == EOF {
				t.Fatalf("%q: no error", c.src)
			}
		}
		if pos != c.pos || !strings.Contains(lit, c.want) {
			t.Errorf("%q: error %q at %d; want %q at %d", c.src, lit, pos, c.want, c.pos)
		}
	}
}

func TestParseErrorPositions(t *testing.T) {
	cases := []struct {
		src          string
		line, column int
		want         string
	}{
		{"T\n| tolower(x) == 1", 2, 3, "'tolower' is not a tabular operator"},
		{"T | where", 1, 10, "expected an expression"},
		{"T | summarize count() by", 1, 25, "expected an expression"},
		{"T | project a = ", 1, 17, "expected an expression"},
		{"T | join (U) x", 1, 14, "expected 'on'"},
		{"T | take 1 |", 1, 13, "expected a tabular operator"},
		{";", 1, 2, "the query is empty"},
		{"T | where a == 'x", 1, 16, "string literal is not closed"},
		{"T\n| extend d = datetime(2024-13-45)", 2, 14, "invalid datetime literal"},
		{"T | where x in (1, 2", 1, 21, "expected ')'"},
		{"T | order x", 1, 11, "expected 'by'"},
		{"T | project-away", 1, 17, "expected a name"},
		{"T | mv-apply x", 1, 5, "'mv-apply' operator is not supported"},
		{"(((((", 1, 6, "expected an expression"},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		if err == nil {
			t.Errorf("%q: parsed without error", c.src)
			continue
		}
		e := err.(*Error)
		if e.Position.Line != c.line || e.Position.Column != c.column || !strings.Contains(e.Msg, c.want) {
			t.Errorf("%q: %v (line %d, column %d); want %q at line %d, column %d", c.src, e.Msg, e.Position.Line, e.Position.Column, c.want, c.line, c.column)
		}
	}
}

func TestParseShapes(t *testing.T) {
	q, err := Parse(`T | project-away A1, B* | join kind=inner hint.strategy=shuffle (U) on $left.a == $right.b, c
| mv-expand x to typeof(string) limit 5 | render columnchart with (title="t", ycolumns=a, b, xcolumn=c)`)
	if err != nil {
		t.Fatal(err)
	}
	pipe := q.Stmts[0].(*ExprStmt).X.(*PipeExpr)
	var names []string
	for _, op := range pipe.Ops {
		names = append(names, op.Name())
	}
	if got := strings.Join(names, ","); got != "project-away,join,mv-expand,render" {
		t.Fatalf("operators %s", got)
	}
	away := pipe.Ops[0].(*ColumnsOp)
	if p, ok := away.Columns[1].(*PatternExpr); !ok || p.Pattern != "B*" {
		t.Errorf("project-away pattern %#v", away.Columns[1])
	}
	join := pipe.Ops[1].(*JoinOp)
	if len(join.Params) != 2 || join.Params[0].X.(*Ident).Name != "inner" || join.Params[1].Names[0].Name != "hint.strategy" {
		t.Errorf("join parameters %#v", join.Params)
	}
	if _, ok := join.Right.(*ParenExpr); !ok {
		t.Errorf("join right side %T; want the parenthesised table, not a call of 'inner'", join.Right)
	}
	if len(join.On) != 2 {
		t.Errorf("join conditions %d", len(join.On))
	}
	mv := pipe.Ops[2].(*MvExpandOp)
	if mv.Items[0].To != "string" || mv.Limit == nil {
		t.Errorf("mv-expand %#v", mv)
	}
	render := pipe.Ops[3].(*RenderOp)
	if len(render.Props) != 3 || render.Props[1].X.(*Literal).Value != "a,b" {
		t.Errorf("render properties %#v", render.Props)
	}
}

func TestParseLiterals(t *testing.T) {
	cases := map[string]string{
		`print datetime(2024-05-01T10:00:00.5Z)`:                     "2024-05-01T10:00:00.5Z",
		`print datetime(2024-05-01 10:00)`:                           "2024-05-01T10:00:00Z",
		`print time(1.02:03:04.5)`:                                   "1.02:03:04.5000000",
		`print timespan(90s)`:                                        "00:01:30",
		`print -7d`:                                                  "-7.00:00:00",
		`print dynamic({"a": [1, 'x', null, datetime(2024-01-01)]})`: `{"a":[1,"x",null,"2024-01-01T00:00:00Z"]}`,
		`print guid(74BE27DE-1E4E-49D9-B579-FE0B331D3642)`:           "74be27de-1e4e-49d9-b579-fe0b331d3642",
		`print int(null)`:                                            "",
		`print long(0x10)`:                                           "16",
	}
	for src, want := range cases {
		q, err := Parse(src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		lit := q.Stmts[0].(*ExprStmt).X.(*PrintExpr).Items[0].(*Literal)
		if got := FormatValue(lit.Value, lit.Kind); got != want {
			t.Errorf("%s: %q; want %q", src, got, want)
		}
	}
}

func TestParseTimespanText(t *testing.T) {
	cases := map[string]int64{
		"10s": 10 * TicksPerSecond, "1.5h": 90 * TicksPerMinute, "00:05:00": 5 * TicksPerMinute,
		"2.00:00:00": 2 * TicksPerDay, "-00:00:01.25": -(TicksPerSecond + TicksPerSecond/4), "3": 3 * TicksPerDay,
		"100ms": 100 * TicksPerMillisecond,
	}
	for text, want := range cases {
		got, ok := ParseTimespan(text)
		if !ok || got != want {
			t.Errorf("%q: %d, %v; want %d", text, got, ok, want)
		}
	}
	for _, bad := range []string{"", "x", "25:00:00", "1:2:3:4", "5 parsecs"} {
		if _, ok := ParseTimespan(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
	for ticks, want := range map[int64]string{0: "00:00:00", TicksPerDay + 1: "1.00:00:00.0000001", -90 * TicksPerMinute: "-01:30:00"} {
		if got := FormatTimespan(ticks); got != want {
			t.Errorf("FormatTimespan(%d) = %q; want %q", ticks, got, want)
		}
	}
}

func TestDepthLimit(t *testing.T) {
	src := "print " + strings.Repeat("(", MaxDepth+10) + "1" + strings.Repeat(")", MaxDepth+10)
	_, err := Parse(src)
	if err == nil || !strings.Contains(err.Error(), "nests more than") {
		t.Fatalf("deep nesting: %v", err)
	}
	if _, err := Parse(strings.Repeat("x", MaxQueryLength+1)); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("long query: %v", err)
	}
}
