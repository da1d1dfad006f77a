package schema

import "strings"

// Names of the ACS columns that callscope's own logic reads or writes
// (routing, redaction, finalisation, derived metrics). Keeping them here
// means a renamed column fails to compile rather than silently matching
// nothing.
const (
	CorrelationID       = "CorrelationId"
	CallID              = "CallId"
	ParticipantID       = "ParticipantId"
	EndpointID          = "EndpointId"
	EndpointType        = "EndpointType"
	ParticipantTenantID = "ParticipantTenantId"
	SdkVersion          = "SdkVersion"
	OsVersion           = "OsVersion"
	CallStartTime       = "CallStartTime"
	CallDuration        = "CallDuration"
	StreamID            = "StreamId"
	MediaType           = "MediaType"
	OperationName       = "OperationName"
	OperationVersion    = "OperationVersion"
	OperationPayload    = "OperationPayload"
	ResultType          = "ResultType"
	UserAgent           = "UserAgent"
	ClientInstanceID    = "ClientInstanceId"
	CallClientTimeStamp = "CallClientTimeStamp"
	CallingMetricsTable = "ACSCallingMetrics"
	ClientOpsTable      = "ACSCallClientOperations"
	SummaryTable        = "ACSCallSummary"
	SummaryUpdatesTable = "ACSCallSummaryUpdates"
	DiagnosticsTable    = "ACSCallDiagnostics"
	DiagUpdatesTable    = "ACSCallDiagnosticsUpdates"
	AppEventsTable      = "AppEvents"

	// PropertiesColumn is AppEvents' bag of custom dimensions. The
	// decoder must tell it from the resource-log envelope's "properties".
	PropertiesColumn = "Properties"
)

// NormalizeResourceID writes a resource id the way Log Analytics shows
// _ResourceId: lower case, with a leading slash and no trailing one.
// Exporters write it upper case and sometimes without the leading slash;
// callscope compares resource ids only in this form.
func NormalizeResourceID(id string) string {
	n := strings.ToLower(strings.TrimSpace(id))
	n = strings.TrimRight(n, "/")
	if !strings.HasPrefix(n, "/") {
		n = "/" + n
	}
	return n
}
