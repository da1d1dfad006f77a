package callmetrics

import (
	"slices"
	"strings"
)

// Every list, threshold and name the rules depend on lives here, so that a
// change in what ACS documents is a change of data, not of code.

// Metric names, as listed for the MetricName column of ACSCallingMetrics.
const (
	// DropMetric is the drop metric's name. The table's documentation (and
	// its list of metric names) spells it reliability/api/Drop; the Insights
	// workbook's Reliability tab filters on reliability/leg/Drop, and so
	// does callscope, so that the dashboard's queries find the rows.
	DropMetric = "reliability/leg/Drop"

	apiPrefix         = "reliability/api/"
	createViewLocal   = "reliability/api/CreateView/Local"
	createViewRemote  = "reliability/api/CreateView/Remote"
	ufdRecoveryPrefix = "reliability/api/UFD/recovery/"
	ufdLegPrefix      = "reliability/leg/UFD/"
)

// apiOperations are the SDK calls with an API reliability metric, by
// OperationName. CreateView is split by the stream's Source (see
// createViewMetric).
var apiOperations = map[string]string{
	"CallAgentInit":      apiPrefix + "CallAgentInit",
	"StartCall":          apiPrefix + "StartCall",
	"Join":               apiPrefix + "Join",
	"AcceptIncomingCall": apiPrefix + "AcceptIncomingCall",
	"StartVideo":         apiPrefix + "StartVideo",
	"StopVideo":          apiPrefix + "StopVideo",
	"CreateView":         createViewRemote, // refined by createViewMetric
}

// createViewMetric tells rendering the local camera preview from rendering
// someone else's stream: they fail for different reasons (a busy camera
// versus a stream that went away). Anything not marked local is remote.
func createViewMetric(source string) string {
	if strings.EqualFold(source, "local") {
		return createViewLocal
	}
	return createViewRemote
}

// successResults are the ResultTypes that count as success. ExpectedError
// is included on purpose: it means the app called the SDK when the call
// could not succeed (a camera already in use, a call no longer ringing), not
// that the SDK or the service failed — the workbook and Call Diagnostics
// both count it as a success.
var successResults = []string{"Succeeded", "Success", "ExpectedError"}

func isSuccess(resultType string) bool {
	for _, s := range successResults {
		if strings.EqualFold(resultType, s) {
			return true
		}
	}
	return false
}

// connectResults are the ResultTypes of an entering operation (Join,
// StartCall, AcceptIncomingCall) that mean the leg got into the call. This
// is narrower than success: a Join that ended in ExpectedError (say, a
// policy forbids the call) is the app's fault, but the leg never connected,
// so it cannot drop.
var connectResults = []string{"Succeeded", "Success"}

func isConnectResult(resultType string) bool {
	for _, s := range connectResults {
		if strings.EqualFold(resultType, s) {
			return true
		}
	}
	return false
}

// enteringOperations bring a leg into a call.
var enteringOperations = map[string]bool{"Join": true, "StartCall": true, "AcceptIncomingCall": true}

// stateChangedNames are the OperationNames of a call state change: SDKs
// log it under either spelling.
var stateChangedNames = []string{"StateChanged", "State-changed"}

func isStateChanged(name string) bool {
	return slices.Contains(stateChangedNames, name)
}

// The UFD operation and the call states the rules look for.
const (
	opUFD              = "UserFacingDiagnostics"
	stateConnected     = "Connected"
	stateDisconnected  = "Disconnected"
	unexpectedCategory = "Unexpected" // ResultCategory UnexpectedClientError, UnexpectedServerError
)

// ungracefulCodes are the end codes that mean a call ended ungracefully:
// the list Call Diagnostics uses for its "call ended ungracefully" issue
// (timeouts, lost media, server errors; not a hang-up, a decline or a
// cancel).
var ungracefulCodes = map[int]bool{
	380: true, 400: true, 407: true, 408: true, 409: true, 410: true,
	412: true, 417: true, 430: true, 439: true, 440: true, 481: true,
	483: true, 488: true, 489: true, 493: true, 500: true, 502: true,
	503: true, 504: true, 580: true,
}

// isUngraceful says whether a Disconnected state change ended the leg
// ungracefully: an ungraceful code, or a result category the SDK marks as
// unexpected (newer SDKs report the category, older ones only the code).
func isUngraceful(p *payload) bool {
	if p.hasCode && ungracefulCodes[p.code] {
		return true
	}
	return containsFold(p.resultCategory, unexpectedCategory)
}

// Result types written on the rows of the leg families (drop and UFD
// recovery), where the outcome is the leg's, not an operation's.
const (
	resultSucceeded = "Succeeded"
	resultFailed    = "Failed"
)

// callTypes renames the SDK's call types to the vocabulary of the metrics
// table ("1 to 1" in the published sample). Other values pass unchanged.
var callTypes = map[string]string{
	"P2P":   "1 to 1",
	"Group": "Group",
}

func callTypeDim(v string) string {
	if m, ok := callTypes[v]; ok {
		return m
	}
	return v
}

// platforms spells the SDK platforms the way the table does, whatever case
// the payload used.
var platforms = map[string]string{
	"web":     "Web",
	"android": "Android",
	"ios":     "iOS",
	"windows": "Windows",
}

func platformDim(v string) string {
	if m, ok := platforms[strings.ToLower(v)]; ok {
		return m
	}
	return v
}

// sdkTokens find the platform in a user agent when the payload does not
// name it: every Calling SDK puts "azsdk-<platform>-communication-calling/<version>"
// in its user agent. "azsdk-win" also matches "azsdk-windows".
var sdkTokens = []struct{ token, platform string }{
	{"azsdk-js", "Web"},
	{"azsdk-android", "Android"},
	{"azsdk-ios", "iOS"},
	{"azsdk-win", "Windows"},
}

// nativeBrowser is the browser of a native SDK (Android, iOS, Windows): it
// has none. The user-agent parser would otherwise report the OS or a web
// view ("Android", "Mobile Safari UI/WKWebView") as the browser.
const nativeBrowser = "Other"

// ufdAliases map the native SDKs' UFD names to the web names the metric
// names use (after the first letter is upper-cased).
var ufdAliases = map[string]string{
	"NetworkUnavailable":           "NoNetwork",
	"NetworkRelaysUnreachable":     "NetworkRelaysNotReachable",
	"NetworkReconnectionQuality":   "NetworkReconnect",
	"NoSpeakerDevicesAvailable":    "NoSpeakerDevicesEnumerated",
	"NoMicrophoneDevicesAvailable": "NoMicrophoneDevicesEnumerated",
	"CameraFrozen":                 "CameraFreeze",
}

// goodQualities are the DiagnosticQuality values that mean all is well: the
// enum's name, or its number (Good = 1, Poor = 2, Bad = 3) as some SDKs log it.
var goodQualities = []string{"Good", "1"}

func isGoodQuality(q string) bool {
	for _, g := range goodQualities {
		if strings.EqualFold(q, g) {
			return true
		}
	}
	return false
}

// unit is the unit of every metric: the share of legs that succeeded.
const unit = "percentage"

// family is a kind of metric; goals are set per family.
type family uint8

const (
	familyAPI family = iota
	familyDrop
	familyUFDRecovery
	familyUFDLeg
)

// goals are callscope's targets, written in the Goal column. ACS does not
// publish its own (its one sample row says ">= 100.0"); these are what an
// operator can reasonably expect of a healthy deployment: an SDK call fails
// rarely, a connected call drops more rarely still, most bad diagnostics
// recover, and few legs see any given problem at all.
var goals = map[family]string{
	familyAPI:         ">= 99.0",
	familyDrop:        ">= 99.5",
	familyUFDRecovery: ">= 90.0",
	familyUFDLeg:      ">= 99.0",
}

// containsFold reports whether substr is in s, ignoring ASCII case.
func containsFold(s, substr string) bool {
	n := len(substr)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], substr) {
			return true
		}
	}
	return false
}
