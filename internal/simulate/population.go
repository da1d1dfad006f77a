package simulate

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// This file describes who calls: the client platforms with their SDK
// releases, operating systems and user agents, and each resource's pool of
// recurring users, so that "top users" and per-device breakdowns have
// something to show.

// platform is the Calling SDK flavour an endpoint runs.
type platform uint8

const (
	platWeb platform = iota
	platAndroid
	platIOS
	platWindows
)

// sdkPlatform is the name client operations report in OperationPayload.SdkPlatform.
func (p platform) sdkPlatform() string {
	return [...]string{"Web", "Android", "iOS", "Windows"}[p]
}

func (p platform) native() bool { return p != platWeb }

// sdkRelease is one Calling SDK release: the version as the logs print it
// ("1.32.1.0_stable") and as the package manager knows it ("1.32.1").
type sdkRelease struct {
	logged, pkg string
	weight      float64
}

// Release mixes: most endpoints run one of the last few stable releases, a
// few run a beta, a handful lag far behind.
var sdkReleases = [...][]sdkRelease{
	platWeb: {
		{"1.32.1.0_stable", "1.32.1", 30}, {"1.31.2.0_stable", "1.31.2", 24}, {"1.30.3.0_stable", "1.30.3", 14},
		{"1.33.1.1_beta", "1.33.1-beta.1", 10}, {"1.29.1.0_stable", "1.29.1", 12}, {"1.27.1.0_stable", "1.27.1", 7},
		{"1.19.2.2_beta", "1.19.2-beta.2", 3},
	},
	platAndroid: {
		{"2.11.0.0_stable", "2.11.0", 40}, {"2.10.1.0_stable", "2.10.1", 30}, {"2.12.0.1_beta", "2.12.0-beta.1", 10}, {"2.9.0.0_stable", "2.9.0", 20},
	},
	platIOS: {
		{"2.12.0.0_stable", "2.12.0", 40}, {"2.11.1.0_stable", "2.11.1", 30}, {"2.13.0.1_beta", "2.13.0-beta.1", 8}, {"2.10.0.0_stable", "2.10.0", 22},
	},
	platWindows: {
		{"1.6.0.0_stable", "1.6.0", 50}, {"1.5.0.0_stable", "1.5.0", 35}, {"1.7.0.1_beta", "1.7.0-beta.1", 15},
	},
}

// device is the client an endpoint runs on.
type device struct {
	platform platform
	sdk      sdkRelease
	os       string // OsVersion as the call summary reports it
	agent    string // browser user agent (web) or device description (native)
	desktop  bool   // can share its screen
	teams    bool   // a Teams client rather than an app built on the ACS SDK
	teamsVer string

	// The browser and OS as Application Insights names them (ClientBrowser,
	// ClientOS), for the custom events of web and Windows apps.
	aiBrowser, aiOS string
}

// browser describes one web client family; %d is the browser major version.
// family and aiOS are what Application Insights makes of the user agent
// (ClientBrowser without the version, ClientOS); family carries the version
// itself when the agent has no %d.
type browser struct {
	os, ua  string
	base    int // oldest major version in use
	weight  float64
	desktop bool

	family, aiOS string
}

var browsers = []browser{
	{"Windows 10.0.19045 Arch: x64", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36", 118, 28, true, "Chrome", "Windows 10"},
	{"Windows 10.0.22631 Arch: x64", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36 Edg/%d.0.0.0", 118, 16, true, "Edge", "Windows 10"},
	{"Windows 10.0.22631 Arch: x64", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:%d.0) Gecko/20100101 Firefox/%d.0", 124, 4, true, "Firefox", "Windows 10"},
	{"Mac OS X 10.15.7", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36", 118, 14, true, "Chrome", "Mac OS X 10.15"},
	{"Mac OS X 14.4.1", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15", 17, 9, true, "Safari 17.4", "Mac OS X 10.15"},
	{"Linux x86_64", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36", 118, 4, true, "Chrome", "Linux"},
	{"Chrome OS 15786.48.0", "Mozilla/5.0 (X11; CrOS x86_64 15786.48.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36", 118, 5, true, "Chrome", "Chrome OS"},
	{"iOS 17.4.1", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1", 17, 8, false, "Mobile Safari 17.4", "iOS 17.4"},
	{"Android 14", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Mobile Safari/537.36", 118, 12, false, "Chrome Mobile", "Android 10"},
}

var browserPick = func() weighted {
	w := make([]float64, len(browsers))
	for i, b := range browsers {
		w[i] = b.weight
	}
	return newWeighted(w...)
}()

// Android phones: manufacturer, product, model, hardware, OS version.
var androidPhones = [][5]string{
	{"Google", "redfin", "Pixel 5", "redfin", "13.0"},
	{"Google", "panther", "Pixel 7", "panther", "14.0"},
	{"Google", "husky", "Pixel 8 Pro", "husky", "14.0"},
	{"samsung", "b0qxxx", "SM-S908B", "qcom", "14.0"},
	{"samsung", "a52qnsxx", "SM-A525F", "qcom", "13.0"},
	{"samsung", "dm1qxxx", "SM-S911B", "qcom", "14.0"},
	{"motorola", "rhode_g", "moto g52", "qcom", "12.0"},
	{"OnePlus", "OnePlus9Pro", "LE2123", "qcom", "13.0"},
	{"Xiaomi", "ginkgo", "Redmi Note 8", "qcom", "11.0"},
}

// iPhones: the Darwin kernel string the iOS SDK reports, iOS version, model id.
var iPhones = [][3]string{
	{"Darwin Kernel Version 23.4.0: Wed Feb 21 21:44:54 PST 2024; root:xnu-10063.101.15~2/RELEASE_ARM64_T8120", "17.4", "iPhone15,4"},
	{"Darwin Kernel Version 23.3.0: Wed Dec 20 21:30:27 PST 2023; root:xnu-10002.81.5~7/RELEASE_ARM64_T8110", "17.3", "iPhone15,2"},
	{"Darwin Kernel Version 22.6.0: Wed Jul  5 22:17:35 PDT 2023; root:xnu-8796.142.1~1/RELEASE_ARM64_T8101", "16.6", "iPhone14,5"},
	{"Darwin Kernel Version 21.6.0: Sun Nov  6 23:29:57 PST 2022; root:xnu-8020.241.14~1/RELEASE_ARM64_T8030", "15.7", "iPhone12,1"},
}

var windowsBuilds = []string{
	"Windows 10.0.22631 Arch: x64", "Windows 10.0.22621 Arch: x64", "Windows 10.0.19045 Arch: x64",
	"Windows 10.0.17763 Arch: x64", "Windows 10.0.22631 Arch: arm64",
}

var teamsOS = []string{"Windows 10.0.22631 Arch: x64", "Windows 10.0.19045 Arch: x64", "Mac OS X 14.4.1"}

// newDevice draws a client of the given platform.
func newDevice(r *rng, p platform) device {
	d := device{platform: p}
	rel := sdkReleases[p]
	w := make([]float64, len(rel))
	for i, x := range rel {
		w[i] = x.weight
	}
	d.sdk = rel[newWeighted(w...).pick(r)]
	switch p {
	case platWeb:
		b := browsers[browserPick.pick(r)]
		major := b.base + r.intn(6)
		d.os = b.os
		d.desktop = b.desktop
		switch strings.Count(b.ua, "%d") {
		case 1:
			d.agent = fmt.Sprintf(b.ua, major)
		case 2:
			d.agent = fmt.Sprintf(b.ua, major, major)
		default:
			d.agent = b.ua
		}
		d.aiBrowser, d.aiOS = b.family, b.aiOS
		if strings.Contains(b.ua, "%d") {
			d.aiBrowser = fmt.Sprintf("%s %d.0", b.family, major)
		}
	case platAndroid:
		ph := choice(r, androidPhones)
		d.os = "Android " + ph[4] + "; Manufacturer: " + ph[0] + "; Product: " + ph[1] + "; Model: " + ph[2] + "; Hardware: " + ph[3]
		d.agent = "Android " + ph[4] + "; " + ph[0] + " " + ph[2]
	case platIOS:
		ph := choice(r, iPhones)
		d.os = ph[0]
		d.agent = "iOS " + ph[1] + "; " + ph[2]
	case platWindows:
		d.os = choice(r, windowsBuilds)
		d.agent = strings.Replace(d.os, " Arch: ", "; ", 1)
		d.desktop = true
		d.aiOS, _, _ = strings.Cut(d.os, " Arch: ")
	}
	return d
}

// userAgent builds the UserAgent string client operations carry. Apps that
// set DiagnosticOptions see their app name, version and tags in it.
func (d *device) userAgent(clientTag string, app *appTag) string {
	sdkName := [...]string{"js", "android", "ios", "windows"}[d.platform]
	comment := [...]string{"javascript_calling_sdk", "android_calling_sdk", "ios_calling_sdk", "windows_calling_sdk"}[d.platform]
	var b strings.Builder
	if app != nil {
		b.WriteString(app.name + "/" + app.version + " azsdk-" + sdkName + "-communication-calling/" + d.sdk.pkg + " (" + strings.Join(app.tags, ", ") + "). ")
	} else {
		b.WriteString("azure-communication-services/1.3.1 azsdk-" + sdkName + "-communication-calling/" + d.sdk.pkg + " (" + comment + ";#clientTag:" + clientTag + "). ")
	}
	b.WriteString(d.agent)
	return b.String()
}

// appTag is what an app passes as DiagnosticOptions.
type appTag struct {
	name, version string
	tags          []string
}

// json renders the DiagnosticOptions column value.
func (a *appTag) json() string {
	b := []byte(`{"appName":`)
	b = appendString(b, a.name)
	b = append(b, `,"appVersion":`...)
	b = appendString(b, a.version)
	b = append(b, `,"tags":[`...)
	for i, t := range a.tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, t)
	}
	return string(append(b, "]}"...))
}

// userKind is the identity behind an endpoint.
type userKind uint8

const (
	kindACS      userKind = iota // ACS identity in an app built on the ACS SDK
	kindExternal                 // ACS identity of another tenant's resource
	kindTeams                    // Teams identity in the Teams client
	kindM365                     // Microsoft 365 identity in an ACS-based app
)

// user is a person who calls again and again.
type user struct {
	identifier string
	tenant     string
	kind       userKind
	dev        device
	endpointID string // fixed for native clients, which keep their endpoint id across calls
	clientTag  string
	app        *appTag
	ua         string
	home       netClass // the network this user usually calls from
	agent      bool     // a contact-centre agent
}

// pool is the recurring population of one resource.
type pool struct {
	users    []*user
	userCDF  []float64 // Zipf-like popularity, so a few users make many calls
	agents   []*user
	external []*user
	teams    []*user
	m365     []*user
	phones   []string // the resource's own phone numbers
	app      appProfile
	autoSDK  [2]string // Call Automation SDK type and version the contact-centre app uses
	callerIP string
}

// appProfile is the customer's app on a resource, for DiagnosticOptions
// and its Application Insights events.
type appProfile struct {
	name       string
	versions   []string
	tags       []string
	surveyPage string // the page that shows the end-of-call survey (OperationName of its events)
}

func appFor(name string) appProfile {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "contact"):
		return appProfile{n + "-agent-desktop", []string{"4.2.0", "4.2.1", "4.3.0"},
			[]string{"queue:billing", "queue:support", "queue:sales", "site:lisbon", "site:austin", "pilot:noise-suppression"}, "/agent/wrap-up"}
	default:
		return appProfile{n, []string{"3.4.0", "3.4.1", "3.5.0-rc.2"},
			[]string{"clinic:north", "clinic:south", "visit:intake", "visit:followup", "role:clinician", "role:patient"}, "/visit/feedback"}
	}
}

func newPool(r *rng, res *resourceState) *pool {
	p := &pool{app: appFor(res.name)}
	const nUsers = 240
	p.users = make([]*user, nUsers)
	total := 0.0
	p.userCDF = make([]float64, nUsers)
	for i := range p.users {
		p.users[i] = newACSUser(r, res, p, false)
		total += 1 / math.Pow(float64(i+1), 0.85)
		p.userCDF[i] = total
	}
	for i := range p.userCDF {
		p.userCDF[i] /= total
	}
	for range 30 {
		p.agents = append(p.agents, newACSUser(r, res, p, true))
	}
	// Users of other tenants: ACS identities of partner resources, Teams
	// users of a few organisations, and this tenant's own Microsoft 365 users.
	var extTenants, teamsTenants []string
	for range 4 {
		extTenants = append(extTenants, r.guid())
	}
	for range 3 {
		teamsTenants = append(teamsTenants, r.guid())
	}
	extResources := []string{r.guid(), r.guid(), r.guid(), r.guid()}
	for range 60 {
		i := r.intn(len(extTenants))
		u := newACSUser(r, res, p, false)
		u.kind = kindExternal
		u.tenant = extTenants[i]
		u.identifier = "acs:" + extResources[i] + "_" + acsUserID(r)
		p.external = append(p.external, u)
	}
	for range 50 {
		u := &user{kind: kindTeams, tenant: choice(r, teamsTenants), identifier: r.guid(), home: homeNet(r)}
		u.dev = device{platform: platWindows, teams: true, desktop: true, os: choice(r, teamsOS),
			teamsVer: fmt.Sprintf("Teams/%d.%d.%d.%d", 24000+r.intn(300), 1000+r.intn(2000), 1000+r.intn(3000), 1000+r.intn(9000))}
		u.endpointID = r.guid()
		p.teams = append(p.teams, u)
	}
	for range 20 {
		u := newACSUser(r, res, p, false)
		u.kind = kindM365
		u.identifier = r.guid()
		p.m365 = append(p.m365, u)
	}
	for range 4 {
		p.phones = append(p.phones, fmt.Sprintf("+1425555%04d", 100+r.intn(100)))
	}
	p.autoSDK = choice(r, [][2]string{{"dotnet", "1.3.1"}, {"java", "1.3.0"}, {"javascript", "1.3.0"}, {"python", "1.2.0"}})
	p.callerIP = fmt.Sprintf("20.%d.%d.%d", 40+r.intn(80), r.intn(256), 1+r.intn(254))
	return p
}

// acsUserID is the user part of an ACS identity ("0000000b-4fee-66cf-ac00-343a0d003158").
func acsUserID(r *rng) string {
	return "000000" + r.hex(2) + "-" + r.hex(4) + "-" + r.hex(4) + "-" + choice(r, []string{"ac00", "85f4", "28f4", "07fd"}) + "-" + r.hex(12)
}

// Platform shares: about 55 % web, the rest the native SDKs.
var platformPick = newWeighted(55, 17, 15, 13)

func newACSUser(r *rng, res *resourceState, p *pool, agent bool) *user {
	u := &user{kind: kindACS, tenant: res.TenantID, agent: agent, home: homeNet(r)}
	u.identifier = "acs:" + res.immutable + "_" + acsUserID(r)
	plat := platform(platformPick.pick(r))
	if agent {
		plat = platWeb
		if r.chance(0.3) {
			plat = platWindows
		}
	}
	u.dev = newDevice(r, plat)
	if agent {
		for !u.dev.desktop { // agents sit at desks
			u.dev = newDevice(r, plat)
		}
	}
	if plat.native() {
		u.endpointID = r.guid()
	}
	u.clientTag = r.guid()
	if r.chance(0.3) || (agent && r.chance(0.7)) {
		a := &appTag{name: p.app.name, version: choice(r, p.app.versions)}
		n := 1 + r.intn(2)
		perm := []int{r.intn(len(p.app.tags)), r.intn(len(p.app.tags))}
		for i := 0; i < n; i++ {
			t := p.app.tags[perm[i]]
			if i == 1 && t == a.tags[0] {
				continue
			}
			a.tags = append(a.tags, t)
		}
		u.app = a
	}
	u.ua = u.dev.userAgent(u.clientTag, u.app)
	return u
}

// pickUser draws a recurring user by popularity.
func (p *pool) pickUser(r *rng) *user {
	i := sort.SearchFloat64s(p.userCDF, r.float())
	if i >= len(p.users) {
		i = len(p.users) - 1
	}
	return p.users[i]
}

// pstnNumber draws a phone number of an outside caller, from ranges that are
// reserved for fiction.
func pstnNumber(r *rng) string {
	switch r.intn(4) {
	case 0:
		return fmt.Sprintf("+44207946%04d", r.intn(1000))
	case 1:
		return fmt.Sprintf("+1312555%04d", 100+r.intn(100))
	default:
		return fmt.Sprintf("+1206555%04d", 100+r.intn(100))
	}
}
