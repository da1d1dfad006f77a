package simulate

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"sort"
)

// rng is the one source of randomness of the simulator: a PCG generator with
// the few distributions the model needs written on top of its raw output.
// The helpers are our own (rather than rand.Rand's) so that the output for a
// seed never changes when the Go release changes an algorithm.
//
// Every independent part of a call (the call itself, one endpoint's network,
// one media-stats series) gets its own rng derived from the seed, so a part can
// be generated alone and at any time (live mode generates media stats lazily)
// and still produce the same bytes as in batch mode.
type rng struct{ pcg rand.PCG }

// newRNG returns a generator for the stream identified by (a, b).
func newRNG(a, b uint64) rng {
	var r rng
	r.pcg.Seed(mix(a), mix(b^0x9e3779b97f4a7c15))
	return r
}

// mix is the splitmix64 finaliser: it spreads nearby inputs (call 1, call 2…)
// over the whole 64-bit space before they seed a generator.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// derive makes a child seed from a parent seed and a salt.
func derive(seed, salt uint64) uint64 { return mix(seed ^ mix(salt)) }

func (r *rng) u64() uint64 { return r.pcg.Uint64() }

// float returns a uniform number in [0, 1).
func (r *rng) float() float64 { return float64(r.u64()>>11) * 0x1p-53 }

// intn returns a uniform integer in [0, n). The tiny modulo bias of the
// multiply-high method is irrelevant for simulated data.
func (r *rng) intn(n int) int {
	if n <= 1 {
		return 0
	}
	hi, _ := bits.Mul64(r.u64(), uint64(n))
	return int(hi)
}

// between returns a uniform number in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// norm returns a standard normal deviate (Box–Muller).
func (r *rng) norm() float64 {
	u := 1 - r.float() // (0, 1]
	v := r.float()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
}

// lognorm returns a log-normal value with the given median; sigma is the
// standard deviation of its logarithm. Durations and latencies are skewed
// like this: most are near the median, a long tail is much larger.
func (r *rng) lognorm(median, sigma float64) float64 {
	return median * math.Exp(sigma*r.norm())
}

// exp returns an exponential value with the given mean.
func (r *rng) exp(mean float64) float64 { return -mean * math.Log(1-r.float()) }

// guid returns a random version-4 UUID in lower-case text form.
func (r *rng) guid() string {
	var b [36]byte
	r.guidInto(&b)
	return string(b[:])
}

const hexDigits = "0123456789abcdef"

func (r *rng) guidInto(b *[36]byte) {
	x, y := r.u64(), r.u64()
	x = x&^(0xf<<12) | 0x4<<12 // version 4
	y = y&^(0x3<<62) | 0x2<<62 // RFC 4122 variant
	j := 0
	for i := 0; i < 16; i++ {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		var v byte
		if i < 8 {
			v = byte(x >> (56 - 8*i))
		} else {
			v = byte(y >> (56 - 8*(i-8)))
		}
		b[j] = hexDigits[v>>4]
		b[j+1] = hexDigits[v&0xf]
		j += 2
	}
}

// hex returns n random lower-case hex digits.
func (r *rng) hex(n int) string {
	b := make([]byte, n)
	var x uint64
	for i := range b {
		if i%16 == 0 {
			x = r.u64()
		}
		b[i] = hexDigits[x&0xf]
		x >>= 4
	}
	return string(b)
}

// alnum returns n random letters and digits.
func (r *rng) alnum(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[r.intn(len(chars))]
	}
	return string(b)
}

// weighted picks an index with probability proportional to its weight.
type weighted struct{ cum []float64 }

func newWeighted(w ...float64) weighted {
	cum := make([]float64, len(w))
	total := 0.0
	for i, x := range w {
		total += x
		cum[i] = total
	}
	for i := range cum {
		cum[i] /= total
	}
	return weighted{cum}
}

func (w weighted) pick(r *rng) int {
	u := r.float()
	// The first bucket whose upper bound lies above u; buckets of weight 0
	// are never chosen.
	i := sort.Search(len(w.cum), func(i int) bool { return w.cum[i] > u })
	if i >= len(w.cum) {
		i = len(w.cum) - 1
	}
	return i
}

// choice picks one element of a slice uniformly.
func choice[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
