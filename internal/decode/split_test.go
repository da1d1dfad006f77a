package decode

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// split runs Open and Split over a body and collects the records.
func split(t *testing.T, body []byte, lim Limits) (Shape, []RawRecord, error) {
	t.Helper()
	lim = lim.WithDefaults()
	r, err := Open(bytes.NewReader(body), lim.MaxDecompressedBytes)
	if err != nil {
		return 0, nil, err
	}
	defer r.Close()
	var recs []RawRecord
	shape, err := Split(r, lim, func(rr RawRecord) error {
		rr.Data = append([]byte(nil), rr.Data...)
		recs = append(recs, rr)
		return nil
	})
	return shape, recs, err
}

const rec1 = `{"category":"CallSummary","properties":{"callType":"P2P"}}`
const rec2 = `{"category":"CallDiagnostics","properties":{"jitterAvg":"1"}}`

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestBodyShapes(t *testing.T) {
	cases := []struct {
		name  string
		body  string
		shape Shape
	}{
		{"envelope", `{"records":[` + rec1 + `,` + rec2 + `]}`, Envelope},
		{"envelope pretty", "{\n  \"records\" : [\n    " + rec1 + ",\n    " + rec2 + "\n  ]\n}\n", Envelope},
		{"envelope with other members", `{"records":[` + rec1 + `,` + rec2 + `],"next":null}`, Envelope},
		{"ndjson", rec1 + "\n" + rec2 + "\n", NDJSON},
		{"ndjson crlf blank lines no final newline", "\r\n" + rec1 + "\r\n\r\n" + rec2, NDJSON},
		{"array", `[` + rec1 + `,` + rec2 + `]`, Array},
		{"array with BOM", "\xef\xbb\xbf [" + rec1 + ",\n" + rec2 + "]", Array},
		{"pretty-printed values", "{\n \"category\": \"CallSummary\",\n \"properties\": {\"callType\": \"P2P\"}\n}\n" + rec2, Values},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, compressed := range []bool{false, true} {
				body := []byte(c.body)
				if compressed {
					body = gz(t, body)
				}
				shape, recs, err := split(t, body, Limits{})
				if err != nil {
					t.Fatalf("gzip=%v: %v", compressed, err)
				}
				if shape != c.shape || len(recs) != 2 {
					t.Fatalf("gzip=%v: shape %v with %d records, want %v with 2", compressed, shape, len(recs), c.shape)
				}
				d := NewDecoder(Limits{})
				for i, want := range []string{"ACSCallSummary", "ACSCallDiagnostics"} {
					tbl, _, err := d.Decode(recs[i].Data, received)
					if err != nil || tbl.Name != want {
						t.Fatalf("record %d: %v %v", i, tbl, err)
					}
					if recs[i].Pos.Index != i {
						t.Errorf("record %d has index %d", i, recs[i].Pos.Index)
					}
				}
			}
		})
	}
}

func TestEmptyBody(t *testing.T) {
	for _, body := range []string{"", "  \n\n"} {
		_, recs, err := split(t, []byte(body), Limits{})
		if err != nil || len(recs) != 0 {
			t.Errorf("%q: %d records, %v", body, len(recs), err)
		}
	}
}

// In NDJSON a malformed line is one bad record: the lines after it are read.
func TestNDJSONBadLineIsOneRecord(t *testing.T) {
	body := rec1 + "\n{\"category\": oops\n" + rec2 + "\n"
	_, recs, err := split(t, []byte(body), Limits{})
	if err != nil || len(recs) != 3 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if recs[1].Pos.Line != 2 || recs[2].Pos.Line != 3 || recs[2].Pos.Offset != int64(len(rec1)+1+len("{\"category\": oops\n")) {
		t.Errorf("positions %v %v", recs[1].Pos, recs[2].Pos)
	}
	d := NewDecoder(Limits{})
	if _, _, err := d.Decode(recs[1].Data, received); err == nil || !strings.Contains(err.Error(), "malformed JSON") {
		t.Errorf("bad line decoded: %v", err)
	}
}

// A body whose structure is broken cannot be read as a whole.
func TestMalformedBodies(t *testing.T) {
	cases := map[string]string{
		"envelope cut short":        `{"records":[` + rec1 + `,` + rec2,
		"array with garbage":        `[` + rec1 + `,nope]`,
		"array followed by garbage": `[` + rec1 + `] trailing`,
		"envelope not an array":     `{"records":[` + rec1 + `]`,
		"not JSON":                  `<html>hello</html>`,
		"values with a number":      "{\n\"a\":1\n}\n42",
	}
	for name, body := range cases {
		_, _, err := split(t, []byte(body), Limits{})
		var be *BodyError
		if !errors.As(err, &be) {
			t.Errorf("%s: want a BodyError, got %v", name, err)
		}
	}
}

func TestGzipBroken(t *testing.T) {
	whole := gz(t, []byte(strings.Repeat(rec1+"\n", 2000)))
	_, _, err := split(t, whole[:len(whole)/2], Limits{})
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated gzip: %v", err)
	}
	corrupt := append([]byte(nil), whole...)
	corrupt[len(corrupt)-6] ^= 0xff // inside the CRC
	_, _, err = split(t, corrupt, Limits{})
	if err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Errorf("corrupt gzip: %v", err)
	}
	_, _, err = split(t, []byte{0x1f, 0x8b, 0x00}, Limits{})
	if err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Errorf("bad header: %v", err)
	}
}

func TestLimits(t *testing.T) {
	body := []byte(strings.Repeat(rec1+"\n", 10))
	_, _, err := split(t, body, Limits{MaxRecords: 9})
	var be *BodyError
	if !errors.As(err, &be) || !be.TooLarge || !strings.Contains(err.Error(), "more than 9 records") {
		t.Errorf("record count: %v", err)
	}
	_, _, err = split(t, gz(t, body), Limits{MaxDecompressedBytes: 100})
	if !errors.As(err, &be) || !be.TooLarge || !strings.Contains(err.Error(), "larger than 100 bytes") {
		t.Errorf("decompressed size: %v", err)
	}
	// An oversize record is cut at the limit and flagged; the next is read.
	long := `{"category":"CallSummary","properties":{"callType":"` + strings.Repeat("x", 200<<10) + `"}}`
	_, recs, err := split(t, []byte(long+"\n"+rec2+"\n"), Limits{MaxRecordBytes: 100 << 10})
	if err != nil || len(recs) != 2 || !recs[0].Oversize || len(recs[0].Data) != 100<<10 || recs[1].Oversize {
		t.Fatalf("oversize record: %d records, %v", len(recs), err)
	}
	if recs[1].Pos.Line != 2 {
		t.Errorf("record after oversize one at %v", recs[1].Pos)
	}
}

// Reading works however the input arrives: one byte at a time, in odd
// chunks, across the peek window.
func TestSplitUnderShortReads(t *testing.T) {
	var sb strings.Builder
	for i := range 500 {
		if i%7 == 0 {
			sb.WriteString(`{"category":"CallSummary","properties":{"callType":"` + strings.Repeat("y", i*37) + `"}}` + "\n")
		} else {
			sb.WriteString(rec2 + "\n")
		}
	}
	body := sb.String()
	for name, r := range map[string]io.Reader{
		"onebyte": iotest.OneByteReader(strings.NewReader(body)),
		"half":    iotest.HalfReader(strings.NewReader(body)),
	} {
		n := 0
		_, err := Split(r, Limits{}, func(rr RawRecord) error { n++; return nil })
		if err != nil || n != 500 {
			t.Errorf("%s: %d records, %v", name, n, err)
		}
	}
}

// The fuzz targets check that no input makes the decoder panic, loop or
// hand out a row that does not fit its table.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{rec1, rec2, `{"Type":"ACSCallSurvey","OverallRatingScore":"4"}`, `{"category":"CallSummary","properties":"{\"a\":1}"}`, `{}`, `[]`, `"x"`, `{"category":"CallClientOperations","properties":{"OperationPayload":"{\"a\":[1,{\"b\":null}]}"}}`,
		`{"Type":"AppEvents","Name":"CallSurvey","Properties":{"id":"s"}}`, `{"category":"AppEvents","properties":{"Properties":"{\"id\":\"s\"}"}}`} {
		f.Add([]byte(s))
	}
	d := NewDecoder(Limits{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		tbl, row, err := d.Decode(raw, received)
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if len(row) != len(tbl.Columns) {
			t.Fatalf("row of %d values for %d columns", len(row), len(tbl.Columns))
		}
	})
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{`{"records":[` + rec1 + `]}`, rec1 + "\n" + rec2, `[` + rec1 + `]`, "{\n}\n{}", "", "[", `{"records":`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n := 0
		done := make(chan error, 1)
		go func() {
			_, err := Split(bytes.NewReader(body), Limits{MaxRecords: 1000}, func(rr RawRecord) error {
				n++
				if len(rr.Data) == 0 {
					return fmt.Errorf("empty record at %v", rr.Pos)
				}
				return nil
			})
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Split did not return within 5s on %q", body)
		}
		if err != nil {
			var be *BodyError
			if !errors.As(err, &be) {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
	})
}
