package simulate

import (
	"math"
	"time"
)

// Each endpoint calls over a network of one class. The class sets its base
// round-trip time, jitter, loss and bandwidth; on top of that come episodes
// of trouble (a few seconds to minutes of congestion) that are rare on a good
// network and constant on a very poor one.
//
// Everything that reports quality reads the same per-10-second samples of
// that network: the media-stats series, the per-stream averages and maxima in
// the call diagnostics, the network user-facing diagnostics (an episode is a
// networkReceiveQuality/networkSendQuality event going bad, then good), the
// freezes and frame rates of video, and finally the survey score. So a bad
// network shows up consistently everywhere, as it would in real data.

type netClass uint8

const (
	netGood netClass = iota
	netFair
	netPoor
	netVeryPoor
)

func (c netClass) String() string { return [...]string{"good", "fair", "poor", "very poor"}[c] }

// classPick is the share of each class among the calls of the population.
var classPick = newWeighted(75, 15, 8, 2)

func homeNet(r *rng) netClass { return netClass(classPick.pick(r)) }

// classParams are the base conditions of each class: ranges for the uplink
// values; the downlink is drawn around them.
var classParams = [...]struct {
	rtt, jitter, loss, capacity [2]float64
	episodesPerMin, episodeSecs float64
	badShare                    float64 // share of episodes that are "Bad" rather than "Poor"
}{
	netGood:     {rtt: [2]float64{25, 110}, jitter: [2]float64{1, 6}, loss: [2]float64{0, 0.004}, capacity: [2]float64{0.9, 1.5}, episodesPerMin: 0.015, episodeSecs: 20, badShare: 0.15},
	netFair:     {rtt: [2]float64{70, 220}, jitter: [2]float64{5, 16}, loss: [2]float64{0.004, 0.025}, capacity: [2]float64{0.5, 1.0}, episodesPerMin: 0.08, episodeSecs: 30, badShare: 0.3},
	netPoor:     {rtt: [2]float64{150, 420}, jitter: [2]float64{14, 34}, loss: [2]float64{0.02, 0.09}, capacity: [2]float64{0.25, 0.6}, episodesPerMin: 0.22, episodeSecs: 45, badShare: 0.5},
	netVeryPoor: {rtt: [2]float64{350, 900}, jitter: [2]float64{30, 80}, loss: [2]float64{0.08, 0.25}, capacity: [2]float64{0.08, 0.3}, badShare: 0.8},
}

// Directions of a link, seen from the endpoint.
const (
	dirSend = 0 // uplink: what the endpoint sends
	dirRecv = 1 // downlink: what it receives
)

// episode is a stretch of bad network in one or both directions.
type episode struct {
	from, to time.Time
	bad      bool // "Bad" rather than "Poor"
	dirs     uint8
}

func (e *episode) has(d int) bool { return e.dirs&(1<<d) != 0 }

// network is one endpoint's network for the duration of a call.
type network struct {
	class    netClass
	seed     uint64
	tcp      bool
	rtt      float64
	jitter   [2]float64
	loss     [2]float64
	capacity [2]float64 // 1 ≈ enough for 720p video
	episodes []episode
}

// newNetwork draws an endpoint's network while it is in a call from `from` to `to`.
func newNetwork(r *rng, class netClass, tcp bool, from, to time.Time) *network {
	p := classParams[class]
	n := &network{class: class, seed: r.u64(), tcp: tcp}
	n.rtt = r.between(p.rtt[0], p.rtt[1])
	n.jitter[dirSend] = r.between(p.jitter[0], p.jitter[1])
	n.jitter[dirRecv] = n.jitter[dirSend] * r.between(0.7, 1.2)
	n.loss[dirSend] = r.between(p.loss[0], p.loss[1])
	n.loss[dirRecv] = n.loss[dirSend] * r.between(0.6, 1.2)
	n.capacity[dirSend] = r.between(p.capacity[0], p.capacity[1])
	n.capacity[dirRecv] = n.capacity[dirSend] * r.between(1, 1.8)
	if tcp {
		// Media relayed over TCP: retransmission hides loss but adds delay.
		n.rtt += r.between(30, 90)
		for d := range 2 {
			n.loss[d] *= 0.3
			n.jitter[d] *= 1.2
		}
	}
	span := to.Sub(from).Seconds()
	if span <= 0 {
		return n
	}
	if class == netVeryPoor {
		// A very poor network is bad most of the time: one long episode,
		// sometimes never recovering before the call ends.
		start := from.Add(time.Duration(r.between(0, 0.25)*span) * time.Second)
		end := start.Add(time.Duration(r.between(0.5, 1.1)*span) * time.Second)
		if end.After(to) {
			end = to.Add(time.Minute)
		}
		n.episodes = append(n.episodes, episode{from: start, to: end, bad: r.chance(p.badShare), dirs: 3})
		return n
	}
	// Other classes: episodes arrive as a Poisson process.
	t := from
	for {
		t = t.Add(time.Duration(r.exp(60/p.episodesPerMin) * float64(time.Second)))
		if !t.Before(to) {
			break
		}
		dur := time.Duration((5 + r.exp(p.episodeSecs)) * float64(time.Second))
		e := episode{from: t, to: t.Add(dur), bad: r.chance(p.badShare), dirs: uint8(1 + r.intn(3))}
		if r.chance(0.1) {
			e.to = to.Add(time.Minute) // lasts until the end: no recovery
		}
		n.episodes = append(n.episodes, e)
		t = e.to
	}
	return n
}

// sample is the state of one direction of a link during one 10-second bucket.
type sample struct {
	rtt, jitter, loss, capacity float64
}

const bucket = 10 * time.Second

// at returns the link state in direction d during the 10-second bucket that
// contains t. The noise depends only on (network, direction, bucket), so
// every metric and every table that looks at the same moment sees the same
// network.
func (n *network) at(d int, t time.Time) sample {
	b := t.UnixMilli() / bucket.Milliseconds()
	r := newRNG(n.seed+uint64(d), uint64(b))
	s := sample{
		rtt:      n.rtt * (1 + 0.12*r.norm()),
		jitter:   n.jitter[d] * math.Exp(0.35*r.norm()),
		loss:     n.loss[d] * math.Exp(0.6*r.norm()),
		capacity: n.capacity[d] * (1 + 0.08*r.norm()),
	}
	if r.chance(0.05) {
		s.loss += 0.002 // an occasional lost packet even on a clean link
	}
	for i := range n.episodes {
		e := &n.episodes[i]
		if !e.has(d) || t.Before(e.from) || !t.Before(e.to) {
			continue
		}
		if e.bad {
			s.rtt += 250 + 150*r.float()
			s.jitter += 35 + 20*r.float()
			s.loss += 0.12 + 0.08*r.float()
			s.capacity *= 0.2
		} else {
			s.rtt += 80 + 60*r.float()
			s.jitter += 12 + 10*r.float()
			s.loss += 0.035 + 0.03*r.float()
			s.capacity *= 0.5
		}
		break
	}
	s.rtt = math.Max(s.rtt, 8)
	s.jitter = math.Max(s.jitter, 0.3)
	s.loss = clamp(s.loss, 0, 0.6)
	s.capacity = math.Max(s.capacity, 0.02)
	return s
}

// media is the kind of a stream.
type media uint8

const (
	mediaAudio media = iota
	mediaVideo
	mediaScreen
)

// Names of a media kind in the diagnostics tables and the client tables.
func (m media) diagName() string  { return [...]string{"Audio", "Video", "VBSS"}[m] }
func (m media) statsName() string { return [...]string{"audio", "video", "screen"}[m] }
func (m media) viewName() string  { return [...]string{"Audio", "Video", "ScreenSharing"}[m] }

// quality is what one stream delivers during one bucket, derived from the
// link sample and the stream's nominal rates.
type quality struct {
	sample
	bitrate      float64 // bits per second
	pps          float64 // packets per second
	jitterBuffer float64 // ms (audio and video)
	healed       float64 // share of audio concealed by the healer
	fps          float64
	height       float64
	freezeMs     float64 // frozen milliseconds in the bucket
}

// nominal is the rate a stream would run at on a perfect network.
type nominal struct {
	bitrate float64
	fps     float64
	height  float64
}

func nominalFor(r *rng, m media, desktop bool) nominal {
	switch m {
	case mediaVideo:
		if desktop {
			return nominal{bitrate: r.between(1.4e6, 2.2e6), fps: 30, height: 720}
		}
		return nominal{bitrate: r.between(0.8e6, 1.3e6), fps: 30, height: 540}
	case mediaScreen:
		return nominal{bitrate: r.between(0.5e6, 1.1e6), fps: r.between(8, 15), height: 1080}
	}
	return nominal{bitrate: r.between(28e3, 40e3), fps: 0, height: 0}
}

// qualityAt derives a stream's quality from a link sample.
func qualityAt(m media, nom nominal, s sample) quality {
	q := quality{sample: s}
	switch m {
	case mediaAudio:
		q.bitrate = nom.bitrate
		if s.capacity < 0.15 {
			q.bitrate *= 0.6 // the codec steps down
		}
		q.pps = 50
		q.jitterBuffer = 35 + 2.4*s.jitter + 180*s.loss
		q.healed = clamp(1.05*s.loss+0.001, 0, 0.9)
	case mediaVideo:
		// Large frames suffer more from a shaky link than audio packets.
		s.jitter *= 1.35
		s.loss = math.Min(s.loss*1.15, 0.6)
		q.sample = s
		usable := clamp(s.capacity*(1-2*s.loss), 0.03, 1)
		q.bitrate = nom.bitrate * usable
		q.fps = nom.fps * clamp(s.capacity*1.3-s.loss*2, 0.06, 1)
		q.height = heightFor(q.bitrate, nom.height)
		q.freezeMs = 10000 * clamp((s.loss-0.03)*3+(0.3-s.capacity)*1.5, 0, 0.9)
		q.pps = q.bitrate / 9600
		q.jitterBuffer = 45 + 2*s.jitter + 120*s.loss
	case mediaScreen:
		s.jitter *= 1.2
		q.sample = s
		usable := clamp(s.capacity*1.4*(1-2*s.loss), 0.02, 1)
		q.bitrate = nom.bitrate * usable
		q.fps = nom.fps * clamp(s.capacity*1.5-s.loss*3, 0.04, 1)
		switch {
		case usable < 0.15:
			q.height = 540
		case usable < 0.4:
			q.height = 720
		default:
			q.height = nom.height
		}
		q.freezeMs = 10000 * clamp((s.loss-0.06)*4+(0.15-s.capacity)*3, 0, 0.95)
		q.pps = q.bitrate / 9600
		q.jitterBuffer = 50 + 2*s.jitter + 100*s.loss
	}
	return q
}

// heightFor is the resolution an encoder picks for a bitrate.
func heightFor(bitrate, max float64) float64 {
	var h float64
	switch {
	case bitrate >= 1.0e6:
		h = 720
	case bitrate >= 5e5:
		h = 540
	case bitrate >= 2.8e5:
		h = 360
	case bitrate >= 1.6e5:
		h = 270
	case bitrate >= 8e4:
		h = 180
	default:
		h = 144
	}
	return math.Min(h, max)
}

// streamStats are the figures one diagnostics row reports for a stream.
type streamStats struct {
	rttAvg, rttMax       int64
	jitterAvg, jitterMax int64
	lossAvg, lossMax     float64
	jbAvg, jbMax         int64
	healAvg, healMax     float64
	fps                  float64
	height               int64
	freezePerMin         float64
	bitrateAvg           int64
	bitrateMax           int64
	packets              int64
}

// aggregate walks the buckets of a stream's active spans and summarises them
// the way the service does for a diagnostics row: averages weighted by time,
// maxima over the buckets.
func aggregate(n *network, d int, m media, nom nominal, spans []span) streamStats {
	var st streamStats
	var secs, rtt, jit, loss, jb, heal, fps, height, freeze, br float64
	var rttMax, jitMax, lossMax, jbMax, healMax, brMax float64
	var packets float64
	for _, sp := range spans {
		for t := sp.from; t.Before(sp.to); {
			next := t.Truncate(bucket).Add(bucket)
			if next.After(sp.to) {
				next = sp.to
			}
			w := next.Sub(t).Seconds()
			q := qualityAt(m, nom, n.at(d, t))
			secs += w
			rtt += q.rtt * w
			jit += q.jitter * w
			loss += q.loss * w
			jb += q.jitterBuffer * w
			heal += q.healed * w
			fps += q.fps * w
			height += q.height * w
			freeze += q.freezeMs * w / 10
			br += q.bitrate * w
			packets += q.pps * w * (1 - q.loss)
			rttMax = math.Max(rttMax, q.rtt*1.15)
			jitMax = math.Max(jitMax, q.jitter*1.6)
			lossMax = math.Max(lossMax, q.loss*1.5)
			jbMax = math.Max(jbMax, q.jitterBuffer*1.3)
			healMax = math.Max(healMax, q.healed*1.5)
			brMax = math.Max(brMax, q.bitrate*1.2)
			t = next
		}
	}
	if secs == 0 {
		return st
	}
	st.rttAvg, st.rttMax = int64(math.Round(rtt/secs)), int64(math.Round(rttMax))
	st.jitterAvg, st.jitterMax = int64(math.Round(jit/secs)), int64(math.Round(jitMax))
	st.lossAvg, st.lossMax = round(loss/secs, 6), round(math.Min(lossMax, 1), 6)
	st.jbAvg, st.jbMax = int64(math.Round(jb/secs)), int64(math.Round(jbMax))
	st.healAvg, st.healMax = round(heal/secs, 4), round(math.Min(healMax, 1), 4)
	st.fps = round(fps/secs, 2)
	st.height = int64(math.Round(height / secs))
	st.freezePerMin = round(freeze/(secs/60), 1)
	st.bitrateAvg, st.bitrateMax = int64(br/secs), int64(brMax)
	st.packets = int64(packets)
	return st
}
