package clickhouse

import (
	"fmt"
	"strings"

	"github.com/callscope/callscope/internal/store"
)

// tableFunctions reach outside the workspace's database: files, other
// servers, other databases. ClickHouse allows them in read-only mode.
var tableFunctions = map[string]bool{
	"file": true, "url": true, "remote": true, "remotesecure": true, "cluster": true, "clusterallreplicas": true,
	"mysql": true, "postgresql": true, "jdbc": true, "odbc": true, "hdfs": true, "hdfscluster": true, "s3": true,
	"s3cluster": true, "gcs": true, "azureblobstorage": true, "azureblobstoragecluster": true, "input": true,
	"executable": true, "sqlite": true, "mongodb": true, "redis": true, "merge": true, "dictionary": true,
	"filecluster": true, "urlcluster": true, "iceberg": true, "deltalake": true, "hudi": true, "loop": true,
	"dictget": true, "dictgetstring": true, "fuzzjson": true, "view": true, "viewifpermitted": true,
}

// checkStatement refuses what the server's read-only mode (readonly=2,
// which lets callscope set a query's limits) would let through: a second
// statement, a SETTINGS clause that lifts those limits, INTO OUTFILE, a
// name followed by a dot that foreign says is another database, or a table function
// that reads outside the workspace. It reads the statement's tokens, so
// names inside strings and comments do not count.
func checkStatement(query string, foreign func(database string) bool) error {
	toks := sqlTokens(query)
	for i, tk := range toks {
		if tk.text == ";" && i+1 < len(toks) {
			return fmt.Errorf("%w: a second statement starts at offset %d", store.ErrNotReadOnly, toks[i+1].pos)
		}
		if tk.kind != identToken {
			continue
		}
		name := strings.ToLower(tk.text)
		if (name == "settings" || name == "outfile") && !tk.quoted {
			return fmt.Errorf("%w: %s at offset %d", store.ErrNotReadOnly, strings.ToUpper(name), tk.pos)
		}
		next := ""
		if i+1 < len(toks) {
			next = toks[i+1].text
		}
		prevDot := i > 0 && toks[i-1].text == "."
		switch {
		case next == "." && !prevDot && foreign(name):
			return fmt.Errorf("%w: the statement names database %s at offset %d; queries read only their workspace", store.ErrNotReadOnly, tk.text, tk.pos)
		case next == "(" && tableFunctions[name]:
			return fmt.Errorf("%w: %s() at offset %d reads outside the workspace", store.ErrNotReadOnly, tk.text, tk.pos)
		}
	}
	return nil
}

type tokenKind int

const (
	identToken tokenKind = iota
	otherToken
)

type sqlToken struct {
	kind   tokenKind
	text   string // an identifier unquoted, or the punctuation
	pos    int
	quoted bool // an identifier in quotes, which is never a keyword
}

// sqlTokens splits ClickHouse SQL into identifiers (bare, `quoted` or
// "quoted") and single punctuation characters, skipping white space,
// comments, string literals and numbers.
func sqlTokens(s string) []sqlToken {
	var out []sqlToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case strings.HasPrefix(s[i:], "--") || c == '#':
			if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
				i += j + 1
			} else {
				i = len(s)
			}
		case strings.HasPrefix(s[i:], "/*"):
			if j := strings.Index(s[i+2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(s)
			}
		case c == '\'':
			i = skipQuoted(s, i, '\'')
		case c == '`' || c == '"':
			end := skipQuoted(s, i, c)
			text := s[i+1 : max(i+1, end-1)]
			text = strings.NewReplacer("\\"+string(c), string(c), string(c)+string(c), string(c), "\\\\", "\\").Replace(text)
			out = append(out, sqlToken{identToken, text, i, true})
			i = end
		case c == '_' || c >= 0x80 || ('a' <= c|0x20 && c|0x20 <= 'z'):
			j := i
			for j < len(s) && (s[j] == '_' || s[j] >= 0x80 || ('a' <= s[j]|0x20 && s[j]|0x20 <= 'z') || ('0' <= s[j] && s[j] <= '9')) {
				j++
			}
			out = append(out, sqlToken{identToken, s[i:j], i, false})
			i = j
		case '0' <= c && c <= '9':
			j := i
			for j < len(s) && (s[j] == '.' || s[j] == '_' || ('a' <= s[j]|0x20 && s[j]|0x20 <= 'z') || ('0' <= s[j] && s[j] <= '9')) {
				j++
			}
			i = j
		default:
			out = append(out, sqlToken{otherToken, s[i : i+1], i, false})
			i++
		}
	}
	return out
}

// skipQuoted returns the offset after a quoted text that starts at i;
// backslash escapes and doubled quotes stay inside.
func skipQuoted(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

// checkTemporaryTable checks a statement of a query's prelude: it may
// only create a temporary Memory table, by name, from a query that
// checkStatement accepts. It returns the table's name.
func checkTemporaryTable(stmt string, foreign func(database string) bool) (string, error) {
	toks := sqlTokens(stmt)
	want := []string{"create", "temporary", "table", "", "engine", "=", "memory", "as"}
	if len(toks) <= len(want) {
		return "", fmt.Errorf("%w: a prelude statement must be CREATE TEMPORARY TABLE name ENGINE = Memory AS SELECT …", store.ErrNotReadOnly)
	}
	for i, w := range want {
		tk := toks[i]
		ok := tk.kind == identToken && !tk.quoted && strings.EqualFold(tk.text, w)
		if w == "" {
			ok = tk.kind == identToken && toks[i+1].text != "."
		} else if w == "=" {
			ok = tk.text == "="
		}
		if !ok {
			return "", fmt.Errorf("%w: a prelude statement must be CREATE TEMPORARY TABLE name ENGINE = Memory AS SELECT …; offset %d", store.ErrNotReadOnly, tk.pos)
		}
	}
	return toks[3].text, checkStatement(stmt[toks[len(want)].pos:], foreign)
}
