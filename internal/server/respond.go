package server

import (
	"bufio"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/store"
)

// apiError is the error body of the Log Analytics API (OneAPI error):
// {"error":{"code":…,"message":…,"innererror":{…}}}.
type apiError struct {
	Code       string      `json:"code"`
	Message    string      `json:"message"`
	InnerError *innerError `json:"innererror,omitempty"`
}

type innerError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Pos     int    `json:"pos,omitempty"`
}

func writeError(w http.ResponseWriter, status int, code, msg string, inner *innerError) {
	writeJSON(w, status, map[string]any{"error": apiError{Code: code, Message: msg, InnerError: inner}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := gojson.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeResult answers with the Log Analytics query result shape:
// {"tables":[{"name":"PrimaryResult","columns":[{"name","type"}],"rows":[[…]]}]}.
// Rows are written as they are encoded rather than built up as one value,
// because results can be large. Values follow the API's conventions:
// datetimes as ISO-8601 UTC strings, timespans as [d.]hh:mm:ss[.fffffff],
// dynamic values as their JSON text in a string.
func writeResult(w http.ResponseWriter, res *store.Result, extra map[string]any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	defer bw.Flush()

	bw.WriteString(`{"tables":[{"name":"PrimaryResult","columns":[`)
	for i, c := range res.Columns {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString(`{"name":`)
		bw.Write(quote(c.Name))
		bw.WriteString(`,"type":"`)
		bw.WriteString(c.Type.String())
		bw.WriteString(`"}`)
	}
	bw.WriteString(`],"rows":[`)
	var buf []byte
	for i, row := range res.Rows {
		if i > 0 {
			bw.WriteByte(',')
		}
		buf = append(buf[:0], '[')
		for j, v := range row {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = appendValue(buf, v)
		}
		buf = append(buf, ']')
		bw.Write(buf)
	}
	bw.WriteString(`]}]`)
	if res.Truncated {
		bw.WriteString(`,"error":`)
		b, _ := gojson.Marshal(apiError{
			Code:    "PartialError",
			Message: fmt.Sprintf("the result was cut to its first %d rows (the row limit)", len(res.Rows)),
		})
		bw.Write(b)
	}
	for k, v := range extra {
		b, err := gojson.Marshal(v)
		if err != nil {
			continue
		}
		bw.WriteByte(',')
		bw.Write(quote(k))
		bw.WriteByte(':')
		bw.Write(b)
	}
	bw.WriteString("}\n")
}

func quote(s string) []byte {
	b, _ := gojson.Marshal(s)
	return b
}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return append(b, quote(x)...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		switch {
		case math.IsNaN(x):
			return append(b, `"NaN"`...)
		case math.IsInf(x, 1):
			return append(b, `"Infinity"`...)
		case math.IsInf(x, -1):
			return append(b, `"-Infinity"`...)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(b, x)
	case time.Time:
		b = append(b, '"')
		b = x.UTC().AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	case time.Duration:
		b = append(b, '"')
		b = append(b, FormatTimespan(x)...)
		return append(b, '"')
	default:
		j, err := gojson.Marshal(x)
		if err != nil {
			return append(b, quote(fmt.Sprint(x))...)
		}
		return append(b, j...)
	}
}

// FormatTimespan writes a duration the way Kusto prints timespans:
// [-][d.]hh:mm:ss[.fffffff] (Kusto ticks are 100 ns).
func FormatTimespan(d time.Duration) string { return kql.FormatTimespan(int64(d / 100)) }
