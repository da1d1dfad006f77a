package schema

// The tables below list every column of the Log Analytics tables callscope
// stores, in the order Log Analytics reports them, with system columns last.
// Export is the property name a diagnostic-setting export (storage account or
// Event Hubs) uses when it differs from the column name; decoding matches both
// without regard to letter case, so an Export that differs only in case is
// documentation for producers such as the simulator.
//
// Sources: the public Log Analytics table reference for each table and the
// Azure Communication Services log schema pages. Three adjacent tables are
// accepted because call-log analysis joins them: ACSBillingUsage and
// ACSCallAutomationIncomingOperations, which the public call-log queries
// join and an ACS resource's allLogs export carries, and AppEvents, the
// Application Insights custom events that the end-of-call survey tutorial
// has apps send (their own survey questions, keyed by the SurveyId of
// ACSCallSurvey). AppEvents comes from an Application Insights resource
// (microsoft.insights/components), not from the ACS resource.

var tables = []*Table{
	{Name: "ACSCallSummary", Category: "CallSummary", Updates: "ACSCallSummaryUpdates", Columns: withSystem(callSummaryColumns...),
		FinalKey: []string{CorrelationID, ParticipantID, EndpointID}},
	{Name: "ACSCallSummaryUpdates", Category: "CallSummaryUpdates", Columns: withSystem(withVersion(callSummaryColumns)...)},
	{Name: "ACSCallDiagnostics", Category: "CallDiagnostics", Updates: "ACSCallDiagnosticsUpdates", Columns: withSystem(callDiagnosticsColumns...),
		FinalKey: []string{CorrelationID, ParticipantID, EndpointID, StreamID, MediaType}},
	{Name: "ACSCallDiagnosticsUpdates", Category: "CallDiagnosticsUpdates", Columns: withSystem(withVersion(callDiagnosticsColumns)...)},
	{
		Name: "ACSCallClientOperations", Category: "CallClientOperations",
		Columns: withSystem(
			Column{Name: "TimeGenerated", Type: DateTime},
			Column{Name: "CallClientTimeStamp", Type: DateTime},
			Column{Name: "OperationName", Type: String},
			Column{Name: "CallId", Type: String},
			Column{Name: "ParticipantId", Type: String},
			Column{Name: "OperationType", Type: String},
			Column{Name: "OperationId", Type: String},
			Column{Name: "DurationMs", Type: Long},
			Column{Name: "ResultType", Type: String},
			Column{Name: "ResultSignature", Type: Int},
			Column{Name: "SdkVersion", Type: String},
			Column{Name: "UserAgent", Type: String},
			Column{Name: "ClientInstanceId", Type: String},
			Column{Name: "EndpointId", Type: String},
			Column{Name: "OperationPayload", Type: Dynamic},
		),
	},
	{
		Name: "ACSCallClientMediaStatsTimeSeries", Category: "CallClientMediaStatsTimeSeries",
		Columns: withSystem(
			Column{Name: "TimeGenerated", Type: DateTime},
			Column{Name: "OperationName", Type: String},
			Column{Name: "CallId", Type: String},
			Column{Name: "CallClientTimeStamp", Type: DateTime},
			Column{Name: "MetricName", Type: String},
			Column{Name: "Count", Type: Long},
			Column{Name: "Sum", Type: Real},
			Column{Name: "Average", Type: Real},
			Column{Name: "Minimum", Type: Real},
			Column{Name: "Maximum", Type: Real},
			Column{Name: "MediaStreamDirection", Type: String},
			Column{Name: "MediaStreamType", Type: String},
			Column{Name: "MediaStreamCodec", Type: String},
			Column{Name: "ParticipantId", Type: String},
			Column{Name: "ClientInstanceId", Type: String},
			Column{Name: "EndpointId", Type: String},
			Column{Name: "RemoteParticipantId", Type: String},
			Column{Name: "RemoteEndpointId", Type: String},
			Column{Name: "MediaStreamId", Type: String},
			Column{Name: "AggregationIntervalSeconds", Type: Int},
		),
	},
	{
		Name: "ACSCallSurvey", Category: "CallSurvey",
		Columns: withSystem(
			Column{Name: "TimeGenerated", Type: DateTime},
			Column{Name: "CorrelationId", Type: String},
			Column{Name: "OperationName", Type: String},
			Column{Name: "OperationVersion", Type: String},
			Column{Name: "CallId", Type: String},
			Column{Name: "ParticipantId", Type: String},
			Column{Name: "SurveyId", Type: String},
			Column{Name: "OverallCallIssues", Type: String},
			Column{Name: "AudioIssues", Type: String},
			Column{Name: "VideoIssues", Type: String},
			Column{Name: "ScreenshareIssues", Type: String},
			Column{Name: "OverallRatingScore", Type: Int},
			Column{Name: "OverallRatingScoreLowerBound", Type: Int},
			Column{Name: "OverallRatingScoreUpperBound", Type: Int},
			Column{Name: "OverallRatingScoreThreshold", Type: Int},
			Column{Name: "AudioRatingScore", Type: Int},
			Column{Name: "AudioRatingScoreLowerBound", Type: Int},
			Column{Name: "AudioRatingScoreUpperBound", Type: Int},
			Column{Name: "AudioRatingScoreThreshold", Type: Int},
			Column{Name: "VideoRatingScore", Type: Int},
			Column{Name: "VideoRatingScoreLowerBound", Type: Int},
			Column{Name: "VideoRatingScoreUpperBound", Type: Int},
			Column{Name: "VideoRatingScoreThreshold", Type: Int},
			Column{Name: "ScreenshareRatingScore", Type: Int},
			Column{Name: "ScreenshareRatingScoreLowerBound", Type: Int, Aliases: []string{"ScreenshareLowerBound"}},
			Column{Name: "ScreenshareRatingScoreUpperBound", Type: Int, Aliases: []string{"ScreenshareUpperBound"}},
			Column{Name: "ScreenshareRatingScoreThreshold", Type: Int, Aliases: []string{"ScreenshareRatingThreshold"}},
		),
	},
	{
		Name: "ACSCallingMetrics", Category: "CallingMetrics",
		Columns: withSystem(
			Column{Name: "TimeGenerated", Type: DateTime},
			Column{Name: "OperationName", Type: String},
			Column{Name: "OperationVersion", Type: String},
			Column{Name: "Category", Type: String},
			Column{Name: "CorrelationId", Type: String},
			Column{Name: "TimestampMax", Type: DateTime},
			Column{Name: "TimestampBin", Type: DateTime},
			Column{Name: "MetricValueAvg", Type: Real},
			Column{Name: "Unit", Type: String},
			Column{Name: "Goal", Type: String},
			Column{Name: "FailedLegsDcount", Type: Int},
			Column{Name: "SuccessLegsDcount", Type: Int},
			Column{Name: "CallsDcount", Type: Int},
			Column{Name: "LegsDcount", Type: Int},
			Column{Name: "SubCode", Type: String},
			Column{Name: "CallType", Type: String},
			Column{Name: "Platform", Type: String},
			Column{Name: "ResultType", Type: String},
			Column{Name: "DeviceModel", Type: String},
			Column{Name: "DeviceBrand", Type: String},
			Column{Name: "DeviceFamily", Type: String},
			Column{Name: "DeviceOsVersionMajor", Type: String},
			Column{Name: "DeviceOsVersionMinor", Type: String},
			Column{Name: "DeviceBrowserVersionMinor", Type: String},
			Column{Name: "DeviceBrowserVersionMajor", Type: String},
			Column{Name: "DeviceOsName", Type: String},
			Column{Name: "DeviceBrowser", Type: String},
			Column{Name: "SdkVersion", Type: String},
			Column{Name: "MetricName", Type: String},
		),
	},
	{
		Name: "ACSBillingUsage", Category: "Usage",
		Columns: withSystem(
			Column{Name: "TimeGenerated", Type: DateTime},
			Column{Name: "Category", Type: String},
			Column{Name: "CorrelationId", Type: String},
			Column{Name: "EndTime", Type: DateTime},
			Column{Name: "OperationName", Type: String},
			Column{Name: "OperationVersion", Type: String},
			Column{Name: "ParticipantId", Type: String},
			Column{Name: "Quantity", Type: Real},
			Column{Name: "RecordId", Type: String},
			Column{Name: "StartTime", Type: DateTime},
			Column{Name: "UnitType", Type: String},
			Column{Name: "UsageType", Type: String},
			Column{Name: "UserIdA", Type: String},
			Column{Name: "UserIdB", Type: String},
		),
	},
	{
		Name: "ACSCallAutomationIncomingOperations", Category: "CallAutomationOperational",
		Columns: withSystem(
			Column{Name: "TimeGenerated", Type: DateTime},
			Column{Name: "CallConnectionId", Type: String},
			Column{Name: "CallerIpAddress", Type: String},
			Column{Name: "CorrelationId", Type: String},
			Column{Name: "DurationMs", Type: Int},
			Column{Name: "Level", Type: String},
			Column{Name: "OperationId", Type: String},
			Column{Name: "OperationName", Type: String},
			Column{Name: "OperationVersion", Type: String},
			Column{Name: "ResultSignature", Type: Int},
			Column{Name: "ResultType", Type: String},
			Column{Name: "SdkType", Type: String},
			Column{Name: "SdkVersion", Type: String},
			Column{Name: "ServerCallId", Type: String},
			Column{Name: "SubOperationName", Type: String},
			Column{Name: "URI", Type: String},
		),
	},
	{
		// Its Properties column (the event's custom dimensions) has the name
		// of the resource-log envelope's properties member; the decoder tells
		// the two apart by the record's shape.
		Name: AppEventsTable, Category: "AppEvents",
		Columns: withSystem(
			Column{Name: "TimeGenerated", Type: DateTime},
			Column{Name: "Name", Type: String},
			Column{Name: PropertiesColumn, Type: Dynamic},
			Column{Name: "Measurements", Type: Dynamic},
			Column{Name: "OperationName", Type: String},
			Column{Name: "OperationId", Type: String},
			Column{Name: "ParentId", Type: String},
			Column{Name: "SyntheticSource", Type: String},
			Column{Name: "SessionId", Type: String},
			Column{Name: "UserId", Type: String},
			Column{Name: "UserAuthenticatedId", Type: String},
			Column{Name: "UserAccountId", Type: String},
			Column{Name: "AppVersion", Type: String},
			Column{Name: "AppRoleName", Type: String},
			Column{Name: "AppRoleInstance", Type: String},
			Column{Name: "ClientType", Type: String},
			Column{Name: "ClientModel", Type: String},
			Column{Name: "ClientOS", Type: String},
			Column{Name: "ClientIP", Type: String},
			Column{Name: "ClientCity", Type: String},
			Column{Name: "ClientStateOrProvince", Type: String},
			Column{Name: "ClientCountryOrRegion", Type: String},
			Column{Name: "ClientBrowser", Type: String},
			Column{Name: "ResourceGUID", Type: String},
			Column{Name: "IKey", Type: String},
			Column{Name: "SDKVersion", Type: String},
			Column{Name: "ItemCount", Type: Int},
			Column{Name: "ReferencedItemId", Type: String},
			Column{Name: "ReferencedType", Type: String},
		),
	},
}

var callSummaryColumns = []Column{
	{Name: "TimeGenerated", Type: DateTime, Export: "time"},
	{Name: "OperationName", Type: String, Export: "operationName"},
	{Name: "OperationVersion", Type: String, Export: "operationVersion"},
	{Name: "Category", Type: String, Export: "category"},
	{Name: "CorrelationId", Type: String, Export: "correlationId"},
	{Name: "Identifier", Type: String, Export: "identifier"},
	{Name: "CallStartTime", Type: DateTime, Export: "callStartTime"},
	{Name: "CallDuration", Type: Long, Export: "callDuration"},
	{Name: "CallType", Type: String, Export: "callType"},
	{Name: "TeamsThreadId", Type: String, Export: "teamsThreadId"},
	{Name: "ParticipantId", Type: String, Export: "participantId"},
	{Name: "ParticipantStartTime", Type: DateTime, Export: "participantStartTime"},
	{Name: "ParticipantDuration", Type: Long, Export: "participantDuration"},
	{Name: "ParticipantEndReason", Type: String, Export: "participantEndReason"},
	{Name: "EndpointId", Type: String, Export: "endpointId"},
	{Name: "EndpointType", Type: String, Export: "endpointType"},
	{Name: "SdkVersion", Type: String, Export: "sdkVersion"},
	{Name: "OsVersion", Type: String, Export: "osVersion"},
	{Name: "ParticipantTenantId", Type: String, Export: "participantTenantId"},
	{Name: "ParticipantType", Type: String, Export: "participantType"},
	{Name: "PstnParticipantCallType", Type: String, Export: "pstnParticipantCallType"},
	{Name: "ParticipantEndSubCode", Type: String},
	{Name: "ResultCategory", Type: String},
	{Name: "DiagnosticOptions", Type: String},
	{Name: "CallDebuggingInfo", Type: String, Export: "callDebuggingInfo"},
	{Name: "TPE", Type: Bool},
}

var callDiagnosticsColumns = []Column{
	{Name: "TimeGenerated", Type: DateTime, Export: "time"},
	{Name: "OperationName", Type: String, Export: "operationName"},
	{Name: "OperationVersion", Type: String, Export: "operationVersion"},
	{Name: "Category", Type: String, Export: "category"},
	{Name: "CorrelationId", Type: String, Export: "correlationId"},
	{Name: "ParticipantId", Type: String, Export: "participantId"},
	{Name: "Identifier", Type: String, Export: "identifier"},
	{Name: "EndpointId", Type: String, Export: "endpointId"},
	{Name: "EndpointType", Type: String, Export: "endpointType"},
	{Name: "MediaType", Type: String, Export: "mediaType"},
	{Name: "StreamId", Type: Long, Export: "streamId"},
	{Name: "TransportType", Type: String, Export: "transportType"},
	{Name: "RoundTripTimeAvg", Type: Int, Export: "roundTripTimeAvg"},
	{Name: "RoundTripTimeMax", Type: Int, Export: "roundTripTimeMax"},
	{Name: "JitterAvg", Type: Int, Export: "jitterAvg"},
	{Name: "JitterMax", Type: Int, Export: "jitterMax"},
	{Name: "PacketLossRateAvg", Type: Real, Export: "packetLossRateAvg"},
	{Name: "PacketLossRateMax", Type: Real, Export: "packetLossRateMax"},
	{Name: "JitterBufferSizeAvg", Type: Int},
	{Name: "JitterBufferSizeMax", Type: Int},
	{Name: "HealedDataRatioAvg", Type: Real},
	{Name: "HealedDataRatioMax", Type: Real},
	{Name: "VideoFrameRateAvg", Type: Real},
	{Name: "RecvResolutionHeight", Type: Int},
	{Name: "RecvFreezeDurationPerMinuteInMs", Type: Real},
	{Name: "PacketUtilization", Type: Int},
	{Name: "VideoBitRateAvg", Type: Int},
	{Name: "VideoBitRateMax", Type: Int},
	{Name: "StreamDirection", Type: String},
	{Name: "CodecName", Type: String},
	{Name: "TPE", Type: Bool},
}

// withVersion is the column list of an updates table: that of its final
// table with CallUpdatesVersion, placed before TPE as Log Analytics lists it.
func withVersion(final []Column) []Column {
	out := make([]Column, 0, len(final)+1)
	for _, c := range final {
		if c.Name == "TPE" {
			out = append(out, Column{Name: CallUpdatesVersion, Type: Int})
		}
		out = append(out, c)
	}
	return out
}

// withSystem appends the system columns every table has, in the order Log
// Analytics lists them. _ResourceId is the envelope's resourceId.
func withSystem(cols ...Column) []Column {
	// A fresh slice, so that tables built from one shared list (a final
	// table and its updates table) never share a backing array.
	out := make([]Column, 0, len(cols)+7)
	return append(append(out, cols...),
		Column{Name: TenantID, Type: String},
		Column{Name: SourceSystem, Type: String},
		Column{Name: TypeColumn, Type: String},
		Column{Name: ResourceID, Type: String, Export: "resourceId"},
		Column{Name: SubscriptionID, Type: String},
		Column{Name: BilledSize, Type: Real},
		Column{Name: IsBillable, Type: String},
	)
}
