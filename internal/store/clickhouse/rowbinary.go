package clickhouse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	ch "github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/schema"
)

// encodeInsert writes the rows of an insert of t with fields, in the
// column order of insertColumns, and returns the format it wrote them in:
// insertFormat where the server reads every value of a text format
// exactly, RowBinary where it does not. Releases before 26.7 read the
// floats of text formats with a fast method that may miss the closest
// double (2.28 is stored as 2.2800000000000002, 15933490 as
// 15933489.999999998), whatever the text; in RowBinary a float is its
// bits. An engine in this process (chdb, a current release) cannot take
// binary statements, and needs none.
func encodeInsert(buf *bytes.Buffer, t *schema.Table, rows [][]any, f ch.Features, fields ...field) (format string, err error) {
	if f.PreciseFloatText {
		return insertFormat, encodeRows(buf, t, rows, f, fields...)
	}
	return "RowBinary", encodeRowBinary(buf, t, rows, f, fields...)
}

// encodeRowBinary writes rows of a table in RowBinary: per row the stored
// columns, then the fields, each value in its column's binary form (see
// Layout.columnType), a Nullable one behind a byte that says whether it
// is missing. Values have the Go types of store.Batch.
func encodeRowBinary(buf *bytes.Buffer, t *schema.Table, rows [][]any, f ch.Features, fields ...field) error {
	l := Layout{Features: f}
	stored := t.StoredColumns()
	var tail bytes.Buffer
	for _, fl := range fields {
		switch x := fl.value.(type) {
		case string: // String
			writeBinaryString(&tail, x)
		case uint64: // UInt64
			write64(&tail, x)
		default:
			return fmt.Errorf("%s: a value of type %T cannot be stored", fl.name, fl.value)
		}
	}
	// Whether a column is Nullable depends on the column alone: found once,
	// not for every row.
	nullable := make([]bool, len(stored))
	for j, i := range stored {
		nullable[j] = strings.HasPrefix(l.columnType(t.Columns[i]), "Nullable(")
	}
	for n, row := range rows {
		if len(row) != len(t.Columns) {
			return fmt.Errorf("%s row %d: %d values for %d columns", t.Name, n, len(row), len(t.Columns))
		}
		for j, i := range stored {
			c := t.Columns[i]
			if err := binaryValue(buf, c.Type, nullable[j], row[i], f); err != nil {
				return fmt.Errorf("%s row %d column %s: %v", t.Name, n, c.Name, err)
			}
		}
		buf.Write(tail.Bytes())
	}
	return nil
}

// binaryValue writes one value of a column of type typ.
func binaryValue(buf *bytes.Buffer, typ schema.Type, nullable bool, v any, f ch.Features) error {
	if v == nil {
		if !nullable {
			return fmt.Errorf("a value is required")
		}
		buf.WriteByte(1)
		return nil
	}
	if nullable {
		buf.WriteByte(0)
	}
	switch x := v.(type) {
	case string:
		if typ == schema.String || typ == schema.GUID || typ == schema.Dynamic {
			writeBinaryString(buf, x)
			return nil
		}
	case time.Time:
		if typ == schema.DateTime {
			if f.DateTime64 { // DateTime64(6): microseconds
				write64(buf, uint64(x.UnixMicro()))
				return nil
			}
			// DateTime: whole seconds from 1970 to 2106; the server's
			// text parser reads a time outside as its zero too.
			s := x.Unix()
			if s < 0 || s > math.MaxUint32 {
				s = 0
			}
			write32(buf, uint32(s))
			return nil
		}
	case int64:
		switch typ {
		case schema.Long:
			write64(buf, uint64(x))
			return nil
		case schema.Int:
			if x < math.MinInt32 || x > math.MaxInt32 {
				return fmt.Errorf("%d does not fit an int", x)
			}
			write32(buf, uint32(int32(x)))
			return nil
		case schema.Real:
			write64(buf, math.Float64bits(float64(x)))
			return nil
		}
	case float64:
		if typ == schema.Real {
			write64(buf, math.Float64bits(x))
			return nil
		}
	case bool:
		if typ == schema.Bool { // UInt8
			if x {
				buf.WriteByte(1)
			} else {
				buf.WriteByte(0)
			}
			return nil
		}
	}
	return fmt.Errorf("a value of type %T cannot be stored in a %s column", v, typ)
}

func write64(buf *bytes.Buffer, x uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], x)
	buf.Write(b[:])
}

func write32(buf *bytes.Buffer, x uint32) {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], x)
	buf.Write(b[:])
}

// writeBinaryString writes a String: its length as a varint, then its
// bytes.
func writeBinaryString(buf *bytes.Buffer, s string) {
	var b [binary.MaxVarintLen64]byte
	buf.Write(b[:binary.PutUvarint(b[:], uint64(len(s)))])
	buf.WriteString(s)
}
