package callmetrics

import (
	"strings"
	"testing"
	"time"
)

// A web client on Chrome on a Mac: everything from the browser's user
// agent; the platform from the payload, or from the SDK token without one.
func TestUserAgentChromeOnMac(t *testing.T) {
	o := opAt(time.Hour, "Join", "A", "p", "Succeeded", `{"CallType":"Group"}`) // no SdkPlatform
	rows := compute([]Operation{o})
	got := one(t, rows, join, "Succeeded", "").Dims
	want := Dimensions{
		CallType:                  "Group",
		Platform:                  "Web",
		ResultType:                "Succeeded",
		DeviceModel:               "Mac",
		DeviceBrand:               "Apple",
		DeviceFamily:              "Mac",
		DeviceOsName:              "Mac OS X",
		DeviceOsVersionMajor:      "10",
		DeviceOsVersionMinor:      "15",
		DeviceBrowser:             "Chrome",
		DeviceBrowserVersionMajor: "124",
		DeviceBrowserVersionMinor: "0",
		SdkVersion:                webSDK,
	}
	if got != want {
		t.Errorf("dims\n got %+v\nwant %+v", got, want)
	}
}

// A native Android app: OS and device from the user agent's environment;
// no browser.
func TestUserAgentNativeAndroid(t *testing.T) {
	o := opAt(time.Hour, "CallAgentInit", "", "", "Succeeded", `{"SdkPlatform":"android"}`)
	o.ClientInstanceID, o.UserAgent, o.SdkVersion = "i", androidUA, "2.9.0.0_stable"
	got := one(t, compute([]Operation{o}), apiPrefix+"CallAgentInit", "Succeeded", "").Dims
	want := Dimensions{
		Platform:             "Android",
		ResultType:           "Succeeded",
		DeviceModel:          "SM-A525F",
		DeviceBrand:          "Samsung",
		DeviceFamily:         "Samsung SM-A525F",
		DeviceOsName:         "Android",
		DeviceOsVersionMajor: "13",
		DeviceOsVersionMinor: "0",
		DeviceBrowser:        "Other",
		SdkVersion:           "2.9.0.0_stable",
	}
	if got != want {
		t.Errorf("dims\n got %+v\nwant %+v", got, want)
	}
}

func TestUserAgentPlatformFromSDKToken(t *testing.T) {
	for ua, want := range map[string]string{
		chromeMacUA: "Web",
		androidUA:   "Android",
		"azure-communication-services/1.3.1 azsdk-ios-communication-calling/2.11.1 (ios_calling_sdk;#clientTag:x). iOS 17.3; iPhone15,2":         "iOS",
		"contoso/3.4.1 azsdk-windows-communication-calling/1.5.0 (visit:followup). Windows 10.0.17763; x64":                                      "Windows",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0 (no sdk)": "",
		"": "",
	} {
		if got := parseUserAgent(ua).platform; got != want {
			t.Errorf("%q: platform %q, want %q", ua, got, want)
		}
	}
	// Without an SDK token the whole user agent goes to the parser.
	if cl := parseUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"); cl.browser != "Edge" || cl.osName != "Windows" {
		t.Errorf("plain browser user agent: %+v", cl)
	}
}

func TestEnvironment(t *testing.T) {
	for ua, want := range map[string]string{
		androidUA:                   "Android 13.0; samsung SM-A525F",
		"Mozilla/5.0 (X11)":         "Mozilla/5.0 (X11)",
		"app azsdk-js/1.0 (x). ":    "app azsdk-js/1.0 (x). ", // nothing after the prefix: keep it all
		"app azsdk-js/1.0 (x) rest": "app azsdk-js/1.0 (x) rest",
	} {
		if got := environment(ua); got != want {
			t.Errorf("environment(%q) = %q, want %q", ua, got, want)
		}
	}
}

// The cache returns the same parse for the same user agent, and for
// another install of the same app on the same browser.
func TestUserAgentCache(t *testing.T) {
	c := NewComputer()
	other := strings.Replace(chromeMacUA, "#clientTag:5b1c", "#clientTag:9e07", 1)
	a, b, d := c.userAgent(chromeMacUA), c.userAgent(chromeMacUA), c.userAgent(other)
	if a != b || a != d || len(c.clients) != 2 || len(c.environments) != 1 {
		t.Errorf("user agents parsed %d times for %d user agents", len(c.environments), len(c.clients))
	}
	if c.userAgent(androidUA) == a || len(c.environments) != 2 {
		t.Error("a different client shares a parse")
	}
}
