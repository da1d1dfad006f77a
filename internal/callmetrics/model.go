package callmetrics

import (
	"strings"
	"time"
)

// Operation is one row of ACSCallClientOperations, the columns the rollup needs.
type Operation struct {
	TimeGenerated       time.Time
	CallClientTimeStamp time.Time // zero when absent
	ResourceID          string
	OperationName       string
	CallID              string
	ParticipantID       string
	ClientInstanceID    string
	ResultType          string
	SdkVersion          string
	UserAgent           string
	Payload             string // OperationPayload as JSON text, "" when absent
}

// time is when the operation happened. The client's own timestamp is
// preferred: TimeGenerated is when the service received the record, which
// for a client that uploads late (offline, app in background) can be hours
// later and even fall on the next day.
func (o *Operation) time() time.Time {
	if !o.CallClientTimeStamp.IsZero() {
		return o.CallClientTimeStamp
	}
	return o.TimeGenerated
}

// leg is the operation's leg. Operations logged before the call exists
// (CallAgentInit, AskDevicePermission) have no ParticipantId; the SDK
// instance that made them stands in for the leg, so that they can still be
// counted per client.
func (o *Operation) leg() string {
	if o.ParticipantID != "" {
		return o.ParticipantID
	}
	return o.ClientInstanceID
}

// Dimensions are the dimension columns of an ACSCallingMetrics row (all strings, "" when unknown).
type Dimensions struct {
	SubCode, CallType, Platform, ResultType                             string
	DeviceModel, DeviceBrand, DeviceFamily                              string
	DeviceOsName, DeviceOsVersionMajor, DeviceOsVersionMinor            string
	DeviceBrowser, DeviceBrowserVersionMajor, DeviceBrowserVersionMinor string
	SdkVersion                                                          string
}

// Row is one ACSCallingMetrics row before the job stamps it (TimeGenerated,
// TimestampMax, CorrelationId are the job's).
type Row struct {
	Bin        time.Time // TimestampBin: the UTC day (00:00:00)
	ResourceID string
	MetricName string
	Dims       Dimensions

	LegsDcount, SuccessLegsDcount, FailedLegsDcount, CallsDcount int

	MetricValueAvg float64   // SuccessLegsDcount*100/LegsDcount
	Unit           string    // "percentage"
	Goal           string    // e.g. ">= 99.0", from goals in rules.go
	LatestData     time.Time // the latest operation time counted in the row
}

// keySep separates the parts of a key. It is a control character so that
// no value the logs can carry is mistaken for a boundary.
const keySep = "\x1f"

// Key identifies the row's dimension set: bin, resource, metric and every
// dimension. Two rows with the same key describe the same thing (for example
// a row computed now and one stored by an earlier run); the counts are not
// part of it.
func (r Row) Key() string {
	d := &r.Dims
	return strings.Join([]string{
		r.Bin.UTC().Format(time.RFC3339),
		r.ResourceID,
		r.MetricName,
		d.SubCode, d.CallType, d.Platform, d.ResultType,
		d.DeviceModel, d.DeviceBrand, d.DeviceFamily,
		d.DeviceOsName, d.DeviceOsVersionMajor, d.DeviceOsVersionMinor,
		d.DeviceBrowser, d.DeviceBrowserVersionMajor, d.DeviceBrowserVersionMinor,
		d.SdkVersion,
	}, keySep)
}
