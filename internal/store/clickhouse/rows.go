package clickhouse

import (
	"bytes"
	"fmt"
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

// encodeRows writes rows of a table as JSONEachRow, the insert format
// every server version reads: the stored columns, then the fields. A row
// holds a value per column of the table, in column order (derived columns
// are not written), with the Go types of store.Batch: string, time.Time,
// int64, float64, bool or nil; dynamic values are JSON text and are stored
// as that text.
func encodeRows(buf *bytes.Buffer, t *schema.Table, rows [][]any, f ch.Features, fields ...field) error {
	stored := t.StoredColumns()
	var tail bytes.Buffer
	for _, fl := range fields {
		tail.WriteByte(',')
		tail.WriteString(strconv.Quote(fl.name))
		tail.WriteByte(':')
		if err := encodeValue(&tail, fl.value, f); err != nil {
			return fmt.Errorf("%s: %v", fl.name, err)
		}
	}
	for n, row := range rows {
		if len(row) != len(t.Columns) {
			return fmt.Errorf("%s row %d: %d values for %d columns", t.Name, n, len(row), len(t.Columns))
		}
		buf.WriteByte('{')
		for j, i := range stored {
			c := t.Columns[i]
			if j > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(strconv.Quote(c.Name))
			buf.WriteByte(':')
			if err := encodeValue(buf, row[i], f); err != nil {
				return fmt.Errorf("%s row %d column %s: %v", t.Name, n, c.Name, err)
			}
		}
		buf.Write(tail.Bytes())
		buf.WriteString("}\n")
	}
	return nil
}

func encodeValue(buf *bytes.Buffer, v any, f ch.Features) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case string:
		writeJSONString(buf, x)
	case time.Time:
		layout := "2006-01-02 15:04:05"
		if f.DateTime64 {
			layout = "2006-01-02 15:04:05.000000"
		}
		buf.WriteByte('"')
		buf.WriteString(x.UTC().Format(layout))
		buf.WriteByte('"')
	case int64:
		buf.WriteString(strconv.FormatInt(x, 10))
	case uint64:
		buf.WriteString(strconv.FormatUint(x, 10))
	case float64:
		buf.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
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

// writeJSONString writes s as a JSON string. Control characters and
// quotes are escaped; other bytes go as they are (the server reads UTF-8,
// and strconv.Quote would escape non-ASCII needlessly).
func writeJSONString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			buf.WriteByte('\\')
			buf.WriteByte(c)
		case c == '\n':
			buf.WriteString(`\n`)
		case c == '\r':
			buf.WriteString(`\r`)
		case c == '\t':
			buf.WriteString(`\t`)
		case c < 0x20:
			buf.WriteString(`\u00`)
			buf.WriteByte(hex[c>>4])
			buf.WriteByte(hex[c&0xf])
		default:
			buf.WriteByte(c)
		}
	}
	buf.WriteByte('"')
}
