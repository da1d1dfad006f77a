package callmetrics

import (
	"strings"

	"github.com/callscope/callscope/internal/useragent"
)

// client is what a user agent says about the device: the device, OS and
// browser dimensions, and the SDK platform when the user agent names it.
type client struct {
	platform string // from the SDK token, "" when there is none

	model, brand, family                string
	osName, osMajor, osMinor            string
	browser, browserMajor, browserMinor string
}

// uaParser is the process's shared ua-parser.
var uaParser = useragent.Parser

// Matching a user agent against ua-parser's few hundred regexes takes a
// millisecond or two, so results are cached for the Computer's lifetime, at
// two levels. SDK user agents can carry a per-client tag ("#clientTag:…"),
// so there can be about as many of them as clients; what the parser reads —
// the browser's or the OS's part — takes far fewer values.
// The first level maps a whole user agent to its client (one map lookup per
// operation); the second maps what the parser sees to its result, so a new
// app install on a known browser costs no parse. Both are cleared when they
// reach maxCachedUserAgents, which bounds a long-lived Computer's memory.
const maxCachedUserAgents = 100_000

// clientKey is what a parse depends on.
// onto fills the device, OS and browser dimensions of d from the client.
func (cl *client) onto(d Dimensions) Dimensions {
	d.DeviceModel, d.DeviceBrand, d.DeviceFamily = cl.model, cl.brand, cl.family
	d.DeviceOsName, d.DeviceOsVersionMajor, d.DeviceOsVersionMinor = cl.osName, cl.osMajor, cl.osMinor
	d.DeviceBrowser, d.DeviceBrowserVersionMajor, d.DeviceBrowserVersionMinor = cl.browser, cl.browserMajor, cl.browserMinor
	return d
}

type clientKey struct{ platform, environment string }

// userAgent returns the client a user agent describes.
func (c *Computer) userAgent(ua string) *client {
	if cl, ok := c.clients[ua]; ok {
		return cl
	}
	k := clientKey{sdkPlatform(ua), environment(ua)}
	cl, ok := c.environments[k]
	if !ok {
		cl = parseEnvironment(k)
		if len(c.environments) >= maxCachedUserAgents {
			clear(c.environments)
		}
		c.environments[k] = cl
	}
	if len(c.clients) >= maxCachedUserAgents {
		clear(c.clients)
	}
	c.clients[ua] = cl
	return cl
}

// parseUserAgent parses one user agent, uncached.
//
// A Calling SDK's user agent is the app's and the SDK's tokens, then the
// environment:
//
//	azure-communication-services/1.3.1 azsdk-js-communication-calling/1.32.1 (javascript_calling_sdk;#clientTag:…). Mozilla/5.0 (Macintosh; …) … Safari/537.36
//	azure-communication-services/1.3.1 azsdk-android-communication-calling/2.11.0 (android_calling_sdk;#clientTag:…). Android 14.0; Google Pixel 7
//
// The parser is given only the environment (after the "). " that closes the
// SDK's comment): that is the part it was written for — the SDK's comment can
// hold anything the app put there — and it is faster on the shorter string.
func parseUserAgent(ua string) *client {
	return parseEnvironment(clientKey{sdkPlatform(ua), environment(ua)})
}

func parseEnvironment(k clientKey) *client {
	cl := &client{platform: k.platform}
	if k.environment == "" {
		return cl
	}
	p := uaParser()
	line := k.environment
	b, o, d := p.ParseUserAgent(line), p.ParseOs(line), p.ParseDevice(line)
	cl.model, cl.brand, cl.family = d.Model, d.Brand, d.Family
	cl.osName, cl.osMajor, cl.osMinor = o.Family, o.Major, o.Minor
	cl.browser, cl.browserMajor, cl.browserMinor = b.Family, b.Major, b.Minor
	if cl.platform != "" && cl.platform != "Web" {
		// A native SDK runs in no browser; what the parser finds there is
		// the OS ("Android 14") or a web view, not a browser.
		cl.browser, cl.browserMajor, cl.browserMinor = nativeBrowser, "", ""
	}
	return cl
}

// sdkPlatform is the platform named by the SDK's token in a user agent, ""
// when there is none.
func sdkPlatform(ua string) string {
	for _, t := range sdkTokens {
		if strings.Contains(ua, t.token) {
			return t.platform
		}
	}
	return ""
}

// environment is the part of an SDK user agent after the SDK's token and
// comment, or the whole user agent when it has no such prefix.
func environment(ua string) string {
	i := strings.Index(ua, "azsdk-")
	if i < 0 {
		return ua
	}
	j := strings.Index(ua[i:], "). ")
	if j < 0 {
		return ua
	}
	if rest := strings.TrimSpace(ua[i+j+3:]); rest != "" {
		return rest
	}
	return ua
}
