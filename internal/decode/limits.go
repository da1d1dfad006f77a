// Package decode turns what exporters send into typed rows.
//
// It works in two steps. Split reads a body or file as a stream and cuts it
// into raw records, whatever the shape (an Event Hubs envelope
// {"records":[…]}, newline-delimited JSON as in Azure storage exports, a JSON
// array, or JSON values one after another), optionally gzip-compressed. A
// Decoder then maps one raw record onto the columns of its table, tolerating
// the quirks of real exporters: any letter case in property names, numbers
// sent as strings, the string "null", times with or without a zone and with
// up to nine fractional digits, and unknown properties, which are kept.
//
// Neither step holds a whole body in memory, and every limit is explicit.
package decode

import "fmt"

// Limits bounds what one body or record may contain. A zero field means the
// default of DefaultLimits; a negative one means no limit.
type Limits struct {
	// MaxBodyBytes bounds a request body as received, before decompression.
	// The HTTP server enforces it; files have no such limit.
	MaxBodyBytes int64
	// MaxDecompressedBytes bounds a body after decompression.
	MaxDecompressedBytes int64
	// MaxRecords bounds the records of one body.
	MaxRecords int
	// MaxRecordBytes bounds the JSON text of one record.
	MaxRecordBytes int
	// MaxStringBytes bounds one string value inside a record.
	MaxStringBytes int
	// MaxDepth bounds how deeply objects and arrays nest inside a record.
	MaxDepth int
}

// DefaultLimits are sized for bursts from exporters and the simulator: a few
// MB per request is typical, Azure's own ingestion caps requests at 1 MB.
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:         32 << 20,
		MaxDecompressedBytes: 256 << 20,
		MaxRecords:           100_000,
		MaxRecordBytes:       1 << 20,
		MaxStringBytes:       256 << 10,
		MaxDepth:             32,
	}
}

// WithDefaults fills zero fields from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	if l.MaxDecompressedBytes == 0 {
		l.MaxDecompressedBytes = d.MaxDecompressedBytes
	}
	if l.MaxRecords == 0 {
		l.MaxRecords = d.MaxRecords
	}
	if l.MaxRecordBytes == 0 {
		l.MaxRecordBytes = d.MaxRecordBytes
	}
	if l.MaxStringBytes == 0 {
		l.MaxStringBytes = d.MaxStringBytes
	}
	if l.MaxDepth == 0 {
		l.MaxDepth = d.MaxDepth
	}
	return l
}

// Position locates a record in the body or file it came from.
type Position struct {
	Index  int   // 0-based record number
	Line   int   // 1-based line where the record starts
	Offset int64 // byte offset of the record's first byte, after decompression
}

func (p Position) String() string {
	return fmt.Sprintf("record %d (line %d, byte %d)", p.Index, p.Line, p.Offset)
}

// BodyError is a problem with a body as a whole: it cannot be decompressed,
// its structure is not JSON, or it breaks a limit. Nothing from such a body
// should be stored when it arrived in one request.
type BodyError struct {
	Pos      Position // where reading stopped
	Msg      string
	TooLarge bool  // a size or count limit was exceeded (HTTP 413)
	Err      error // the underlying read error, if any
}

func (e *BodyError) Unwrap() error { return e.Err }

func (e *BodyError) Error() string {
	if e.Pos.Offset == 0 && e.Pos.Index == 0 {
		return e.Msg
	}
	return fmt.Sprintf("%s at byte %d (line %d, after %d records)", e.Msg, e.Pos.Offset, e.Pos.Line, e.Pos.Index)
}
