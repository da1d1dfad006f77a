package simulate

import (
	"io"
	"testing"
)

// BenchmarkGenerate measures the whole pipeline per record: planning calls,
// deriving their network samples and writing every record's JSON. Run it
// with -benchtime=2000000x to generate 2M records; b.N counts records.
func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	var bytes int64
	n := 0
	opts := Options{Seed: 1, Calls: 1 << 30, Finals: true}
	stop := errStop{}
	b.ResetTimer()
	_, err := Generate(opts, func(r Record) error {
		if n == b.N {
			return stop
		}
		n++
		bytes += int64(len(r.JSON))
		return nil
	})
	if err != stop {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(bytes)/float64(n), "B/record")
	b.SetBytes(bytes / int64(max(n, 1)))
}

type errStop struct{}

func (errStop) Error() string { return "stop" }

// BenchmarkWriteNDJSON adds writing to a sink.
func BenchmarkWriteNDJSON(b *testing.B) {
	n := 0
	w := WriteNDJSON(io.Discard)
	b.ResetTimer()
	_, err := Generate(Options{Seed: 2, Calls: 1 << 30}, func(r Record) error {
		if n == b.N {
			return errStop{}
		}
		n++
		return w(r)
	})
	if _, ok := err.(errStop); !ok {
		b.Fatal(err)
	}
}
