package calls

import (
	"context"
	"encoding/json"
	"sort"
	"time"
)

// Series is one media-stats metric of one participant's stream over time.
type Series struct {
	ParticipantID string    `json:"participantId,omitempty"`
	EndpointID    string    `json:"endpointId,omitempty"`
	Direction     string    `json:"direction"`  // send or recv
	StreamType    string    `json:"streamType"` // audio, video, screenshare
	Metric        string    `json:"metric"`
	Codec         string    `json:"codec,omitempty"`
	Points        []Point   `json:"points"`
	First         time.Time `json:"first"`
	Last          time.Time `json:"last"`
}

// Point is one aggregation interval of a metric.
type Point struct {
	Time    time.Time `json:"time"`
	Average float64   `json:"average"`
	Minimum float64   `json:"minimum"`
	Maximum float64   `json:"maximum"`
	Count   int64     `json:"count"`
}

const seriesKQL = `declare query_parameters(callId:string = '');
ACSCallClientMediaStatsTimeSeries
| where CallId == callId
| project CallClientTimeStamp, ParticipantId, EndpointId, MediaStreamDirection, MediaStreamType, MetricName, MediaStreamCodec,
    Average, Minimum, Maximum, Count
| order by CallClientTimeStamp asc`

// Series answers for one call: every media-stats series, by participant,
// direction, stream type and metric, points in time order.
func (s *Service) Series(ctx context.Context, callID string) ([]Series, error) {
	rows, err := s.run(ctx, seriesKQL, map[string]string{"callId": callID})
	if err != nil {
		return nil, err
	}
	byKey := map[string]*Series{}
	var order []string
	for _, r := range rows {
		k := r.str("ParticipantId") + "\x00" + r.str("EndpointId") + "\x00" + r.str("MediaStreamDirection") + "\x00" +
			r.str("MediaStreamType") + "\x00" + r.str("MetricName")
		se := byKey[k]
		at := r.time("CallClientTimeStamp")
		if se == nil {
			se = &Series{ParticipantID: r.str("ParticipantId"), EndpointID: r.str("EndpointId"), Direction: r.str("MediaStreamDirection"),
				StreamType: r.str("MediaStreamType"), Metric: r.str("MetricName"), First: at}
			byKey[k] = se
			order = append(order, k)
		}
		if c := r.str("MediaStreamCodec"); c != "" {
			se.Codec = c
		}
		avg, _ := r.num("Average")
		lo, _ := r.num("Minimum")
		hi, _ := r.num("Maximum")
		se.Points = append(se.Points, Point{Time: at, Average: avg, Minimum: lo, Maximum: hi, Count: r.int("Count")})
		se.Last = at
	}
	out := make([]Series, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.ParticipantID != b.ParticipantID {
			return a.ParticipantID < b.ParticipantID
		}
		if a.StreamType != b.StreamType {
			return a.StreamType < b.StreamType
		}
		if a.Direction != b.Direction {
			return a.Direction < b.Direction
		}
		return a.Metric < b.Metric
	})
	return out, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
