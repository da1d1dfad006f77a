package clickhouse

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"

	ch "github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/schema"
)

// field is a bookkeeping value written with every row of an insert.
type field struct {
	name  string
	value any
}

// insertFormat is the format rows are sent in. TabSeparated is read by
// every server version and parsed about three times faster than
// JSONEachRow (measured on 18.16 with 192,000 media-stats rows: 0.62 s
// against 1.74 s), at half the size, since the column names are not
// repeated in every row.
const insertFormat = "TabSeparated"

// insertColumns are the columns of an insert of t with fields, in the
// order encodeRows writes the values.
func insertColumns(t *schema.Table, fields []field) []string {
	var cols []string
	for _, i := range t.StoredColumns() {
		cols = append(cols, t.Columns[i].Name)
	}
	for _, fl := range fields {
		cols = append(cols, fl.name)
	}
	return cols
}

// encodeRows writes rows of a table in insertFormat: the stored columns,
// then the fields. A row holds a value per column of the table, in column
// order (derived columns are not written), with the Go types of
// store.Batch: string, time.Time, int64, float64, bool or nil; dynamic
// values are JSON text and are stored as that text.
func encodeRows(buf *bytes.Buffer, t *schema.Table, rows [][]any, f ch.Features, fields ...field) error {
	stored := t.StoredColumns()
	var tail bytes.Buffer
	for _, fl := range fields {
		tail.WriteByte('\t')
		if err := encodeValue(&tail, fl.value, f); err != nil {
			return fmt.Errorf("%s: %v", fl.name, err)
		}
	}
	for n, row := range rows {
		if len(row) != len(t.Columns) {
			return fmt.Errorf("%s row %d: %d values for %d columns", t.Name, n, len(row), len(t.Columns))
		}
		for j, i := range stored {
			if j > 0 {
				buf.WriteByte('\t')
			}
			if err := encodeValue(buf, row[i], f); err != nil {
				return fmt.Errorf("%s row %d column %s: %v", t.Name, n, t.Columns[i].Name, err)
			}
		}
		buf.Write(tail.Bytes())
		buf.WriteByte('\n')
	}
	return nil
}

// encodeValue writes one value as a TabSeparated field: \N for null,
// strings escaped, times in the server's text form.
func encodeValue(buf *bytes.Buffer, v any, f ch.Features) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString(`\N`)
	case string:
		writeEscaped(buf, x)
	case time.Time:
		layout := "2006-01-02 15:04:05"
		if f.DateTime64 {
			layout = "2006-01-02 15:04:05.000000"
		}
		buf.WriteString(x.UTC().Format(layout))
	case int64:
		buf.WriteString(strconv.FormatInt(x, 10))
	case uint64:
		buf.WriteString(strconv.FormatUint(x, 10))
	case float64:
		switch {
		case math.IsNaN(x):
			buf.WriteString("nan")
		case math.IsInf(x, 1):
			buf.WriteString("inf")
		case math.IsInf(x, -1):
			buf.WriteString("-inf")
		default:
			buf.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	case bool:
		if x {
			buf.WriteByte('1')
		} else {
			buf.WriteByte('0')
		}
	default:
		return fmt.Errorf("a value of type %T cannot be stored", v)
	}
	return nil
}

// writeEscaped writes s as a TabSeparated string: the backslash, tab,
// line breaks and NUL are escaped, other bytes go as they are (the server
// reads UTF-8).
func writeEscaped(buf *bytes.Buffer, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '\\':
			esc = `\\`
		case '\t':
			esc = `\t`
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		case 0:
			esc = `\0`
		default:
			continue
		}
		buf.WriteString(s[start:i])
		buf.WriteString(esc)
		start = i + 1
	}
	buf.WriteString(s[start:])
}
